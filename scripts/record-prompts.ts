// MACHINE-MADE PLACEHOLDER RECORDINGS. This dev tool speaks the prompts of one language with espeak-ng so that
// languages Twilio has no voice for (Burmese first) can be heard at all during development and testing. The result is
// robotic and sometimes mispronounced: every file it writes must be replaced by a native speaker's recording before
// production use. Hand-made recordings dropped into voice-flows/audio/<lang>/ are overwritten if you run it again.
//
// Usage: npx tsx scripts/record-prompts.ts <lang>      e.g. npx tsx scripts/record-prompts.ts my
//
// Reads voice-flows/prompts/<lang>.yaml and voice-flows/flow.yaml, writes voice-flows/audio/<lang>/<prompt-id>.wav.
// Placeholders, since a recording cannot change per call:
//   {key}                 the key the flow assigns to that prompt for that language; if the flow assigns none or
//                         several, the placeholder (and its attached particle, see KEY_PARTICLE) is dropped.
//   {position} {minutes}  the sentences that contain them are dropped; if nothing is left, a generic
//                         "please keep holding" line (STILL_HOLDING) is read, or else the bare placeholders are removed.
// Output is 8 kHz mono 16-bit WAV when sox is installed (telephone quality, small); otherwise espeak-ng's own
// 22.05 kHz mono 16-bit WAV is kept as is.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const FLOWS = path.join(ROOT, "voice-flows");

/** Words per minute: espeak-ng's default is 175; slower is easier to follow on a phone line. */
const SPEED = "130";

/** espeak-ng voice per language code, where the two differ. Yawi is read from its Rumi text by the Malay voice. */
const ESPEAK_VOICE: Record<string, string> = { zh: "cmn", mfa: "ms" };
const READS_RUMI = new Set(["mfa"]);

/** The particle that belongs to {key} and goes with it when the key is dropped ("{key} ကို နှိပ်ပါ"). */
const KEY_PARTICLE: Record<string, string> = { my: "ကို" };

/** Read when every sentence of a prompt depends on {position}/{minutes}. Machine-made too: review with the rest. */
const STILL_HOLDING: Record<string, string> = {
  en: "Please keep holding.",
  th: "กรุณาถือสายรอต่อ",
  my: "ဖုန်းမချဘဲ ဆက်စောင့်ပေးပါ။",
  vi: "Xin vui lòng tiếp tục giữ máy.",
  zh: "请继续等候，不要挂机。",
  mfa: "Sila terus tunggu.",
};

type PromptText = { text: string; rumi?: string };
type MenuOption = { key: string; say: { prompt: string; language?: string } };
type FlowNode = { type: string; options?: MenuOption[] };

function fail(message: string): never {
  console.error(`record-prompts: ${message}`);
  process.exit(1);
}

function readYaml(file: string): unknown {
  try {
    return parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    fail(`cannot read ${path.relative(ROOT, file)}: ${(err as Error).message}`);
  }
}

/** Every key the flow assigns to a prompt when it is played in `lang`. */
function keysFor(nodes: Record<string, FlowNode>, promptId: string, lang: string): string[] {
  const keys = new Set<string>();
  for (const node of Object.values(nodes)) {
    if (node.type !== "menu") continue;
    for (const option of node.options ?? []) {
      if (option.say.prompt !== promptId) continue;
      if (option.say.language !== undefined && option.say.language !== lang) continue;
      keys.add(option.key);
    }
  }
  return [...keys];
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The words a recording says: the prompt with its placeholders resolved or removed. */
function spokenText(text: string, keys: string[], lang: string): string {
  let out = text;
  if (out.includes("{key}")) {
    if (keys.length === 1) {
      out = out.replaceAll("{key}", keys[0]!);
    } else {
      const particle = KEY_PARTICLE[lang];
      const pattern = particle ? `\\{key\\}\\s*(?:${escapeRegExp(particle)})?` : "\\{key\\}";
      out = out.replace(new RegExp(pattern, "gu"), "");
    }
  }
  if (/\{(position|minutes)\}/.test(out)) {
    // Sentence ends: Latin, CJK, Khmer (។) and Myanmar (။). Thai and Lao separate with spaces: one "sentence".
    const sentences = out.split(/(?<=[.!?。！？។။])\s*/u).filter((s) => s.trim() !== "");
    const kept = sentences.filter((s) => !/\{(position|minutes)\}/.test(s));
    out = kept.length ? kept.join(" ") : (STILL_HOLDING[lang] ?? out.replace(/\{(position|minutes)\}/g, ""));
  }
  return out
    .replace(/\{[a-z]+\}/g, "")
    .replace(/\s+([,.!?，。、၊။។])/gu, "$1")
    .replace(/\s{2,}/g, " ")
    .trim();
}

function hasSox(): boolean {
  const probe = spawnSync("sox", ["--version"], { stdio: "ignore" });
  return !probe.error && probe.status === 0;
}

function main(): void {
  const lang = process.argv[2];
  if (!lang || !/^[a-z]{2,3}$/.test(lang)) fail("usage: npx tsx scripts/record-prompts.ts <lang>   (e.g. my)");

  const promptFile = readYaml(path.join(FLOWS, "prompts", `${lang}.yaml`)) as { prompts?: Record<string, PromptText> };
  const flow = readYaml(path.join(FLOWS, "flow.yaml")) as { nodes?: Record<string, FlowNode> };
  const prompts = promptFile?.prompts;
  if (!prompts || typeof prompts !== "object") fail(`voice-flows/prompts/${lang}.yaml has no prompts`);
  const nodes = flow?.nodes ?? {};

  const voice = ESPEAK_VOICE[lang] ?? lang;
  // espeak-ng has no Khmer or Lao voice, for one: say so before creating anything.
  const probe = spawnSync("espeak-ng", ["-v", voice, "-q", "x"], { encoding: "utf8" });
  if (probe.error) fail(`cannot run espeak-ng: ${probe.error.message}`);
  if (probe.status !== 0) fail(`espeak-ng has no voice "${voice}" for ${lang}: ${probe.stderr.trim()}`);
  const outDir = path.join(FLOWS, "audio", lang);
  fs.mkdirSync(outDir, { recursive: true });
  const sox = hasSox();
  if (!sox) console.log("sox not found: keeping espeak-ng's 22.05 kHz output (install sox for 8 kHz files)");

  let total = 0;
  for (const [id, prompt] of Object.entries(prompts)) {
    const source = READS_RUMI.has(lang) ? prompt.rumi : prompt.text;
    if (!source) fail(`${lang}/${id}: no ${READS_RUMI.has(lang) ? "rumi" : "text"}`);
    const keys = keysFor(nodes, id, lang);
    const words = spokenText(source, keys, lang);
    const out = path.join(outDir, `${id}.wav`);
    const raw = sox ? path.join(outDir, `.${id}.espeak.wav`) : out;

    // The text goes in on stdin (one line), so no prompt can be mistaken for a command-line option.
    const spoken = spawnSync("espeak-ng", ["-v", voice, "-s", SPEED, "-w", raw, "--stdin"], {
      input: `${words}\n`,
      encoding: "utf8",
    });
    if (spoken.error) fail(`cannot run espeak-ng: ${spoken.error.message}`);
    if (spoken.status !== 0) fail(`espeak-ng -v ${voice} failed for ${id}: ${spoken.stderr.trim()}`);
    if (sox) {
      const converted = spawnSync("sox", [raw, "-r", "8000", "-c", "1", "-b", "16", out], { encoding: "utf8" });
      fs.rmSync(raw, { force: true });
      if (converted.status !== 0) fail(`sox failed for ${id}: ${converted.stderr.trim()}`);
    }

    const size = fs.statSync(out).size;
    if (size === 0) fail(`${path.relative(ROOT, out)} is empty`);
    total += size;
    const keyNote = source.includes("{key}") ? ` [key: ${keys.length === 1 ? keys[0] : "dropped"}]` : "";
    console.log(`${path.relative(ROOT, out)}  ${(size / 1024).toFixed(1)} KiB${keyNote}  ${words}`);
  }
  console.log(`${Object.keys(prompts).length} recordings, ${(total / 1024).toFixed(1)} KiB in total`);
}

main();
