import { LANGUAGES } from "../languages.js";
import type { LoadedFlows } from "./flow-loader.js";
import { BILINGUAL_LANGUAGES, BILINGUAL_PROMPTS, PromptCatalog, type Coverage } from "./prompt-catalog.js";
import type { ApprovedLookup } from "../recordings/approved-index.js";

export interface FlowReport {
  errors: string[];
  warnings: string[];
  /** prompt id → language → how callers of that language hear it. */
  coverage: Record<string, Record<string, Coverage>>;
  /** language → prompts still awaiting a native speaker's review. */
  unreviewed: Record<string, number>;
}

/** Text messages every language must have (src/callbacks/missed-call-text.ts sends them). */
export const TEXT_IDS = ["missed-call"] as const;
/** Characters in one UCS-2 SMS segment: what Thai, Burmese, Khmer, Lao, Chinese and Jawi are sent as. */
export const TEXT_SEGMENT = 70;

const placeholders = (text: string) => (text.match(/\{[a-z]+\}/g) ?? []).sort().join(" ");

/**
 * Everything a flow needs to be safe to put in front of callers. Pure: the CLI and the server both use it.
 * With the approved human recordings (from the database), coverage shows them too.
 */
export function checkFlows(loaded: LoadedFlows, approved?: ApprovedLookup): FlowReport {
  const { flow, prompts } = loaded;
  const errors: string[] = [];
  const warnings: string[] = [];
  const catalog = new PromptCatalog(loaded, approved);

  for (const id of [flow.start, flow.returningStart]) {
    if (!flow.nodes[id]) errors.push(`start node "${id}" does not exist`);
  }
  for (const [id, node] of Object.entries(flow.nodes)) {
    if (node.type !== "menu") continue;
    const keys = node.options.map((o) => o.key);
    const dupes = keys.filter((k, i) => keys.indexOf(k) !== i);
    if (dupes.length) errors.push(`menu "${id}": key ${[...new Set(dupes)].join(", ")} used twice`);
    for (const target of [...node.options.map((o) => o.goto), node.onFailure.goto]) {
      if (!flow.nodes[target]) errors.push(`menu "${id}": goes to "${target}", which does not exist`);
    }
  }
  for (const language of LANGUAGES) {
    if (!prompts[language]) errors.push(`${language}: prompts/${language}.yaml is missing`);
    if (!(language in flow.voices)) errors.push(`${language}: voices has no entry (write null when Twilio has no voice)`);
  }

  const coverage: FlowReport["coverage"] = {};
  const reference = prompts.en?.prompts ?? {};
  for (const prompt of catalog.promptIds()) {
    coverage[prompt] = {};
    for (const language of LANGUAGES) {
      const entry = prompts[language]?.prompts[prompt];
      if (!entry) errors.push(`${language}: prompt "${prompt}" has no text`);
      else if (reference[prompt] && placeholders(entry.text) !== placeholders(reference[prompt].text)) {
        errors.push(`${language}: prompt "${prompt}" has placeholders "${placeholders(entry.text)}", English has "${placeholders(reference[prompt].text)}"`);
      }
      if (entry && flow.voices[language]?.reads === "rumi" && !entry.rumi) {
        errors.push(`${language}: prompt "${prompt}" needs a rumi reading for the voice`);
      }
      const how = catalog.coverage(prompt, language);
      if (how.startsWith("fallback") && flow.namesTheLanguage.includes(prompt) && !entry?.fallbackText) {
        errors.push(`${language}: prompt "${prompt}" names the language, so spoken in ${how.slice(9)} it needs a fallbackText`);
      }
      coverage[prompt][language] = how;
      if (how === "missing") errors.push(`${language}: prompt "${prompt}" can be neither played nor spoken`);
      else if (how.startsWith("fallback")) warnings.push(`${language}: prompt "${prompt}" is heard in ${how.slice(9)} until it is recorded`);
    }
  }

  for (const prompt of BILINGUAL_PROMPTS) {
    for (const language of BILINGUAL_LANGUAGES) {
      if (catalog.coverage(prompt, language) === "missing") errors.push(`${language}: prompt "${prompt}" can be neither played nor spoken`);
    }
  }

  // Text messages: one UCS-2 segment each (70 UTF-16 units), or the carrier splits and bills it twice,
  // and some phones show the parts out of order.
  for (const language of LANGUAGES) {
    for (const id of TEXT_IDS) {
      const entry = prompts[language]?.texts[id];
      if (!entry) {
        errors.push(`${language}: text message "${id}" has no text`);
        continue;
      }
      for (const [field, value] of [["text", entry.text], ["rumi", entry.rumi]] as const) {
        if (value !== undefined && value.length > TEXT_SEGMENT) errors.push(`${language}: text message "${id}" (${field}) is ${value.length} characters; one UCS-2 segment holds ${TEXT_SEGMENT}`);
      }
    }
  }

  const unreviewed: FlowReport["unreviewed"] = {};
  for (const language of LANGUAGES) {
    unreviewed[language] = Object.values(prompts[language]?.prompts ?? {}).filter((p) => p.source === "machine").length;
  }
  return { errors, warnings, coverage, unreviewed };
}

const SHORT: Record<string, string> = { human: "human", machine: "machine", voice: "tts", missing: "MISSING" };

/** The coverage table: a row per prompt, a column per language; `drafts` counts recordings awaiting approval per language. */
export function formatCoverage(report: FlowReport, drafts?: Partial<Record<string, number>>): string {
  const ids = Object.keys(report.coverage);
  const width = Math.max(6, ...ids.map((id) => id.length));
  const cell = (s: string) => s.padEnd(8);
  const lines = [`${"prompt".padEnd(width)}  ${LANGUAGES.map(cell).join("")}`];
  for (const id of ids) {
    const row = LANGUAGES.map((l) => {
      const how = report.coverage[id]?.[l] ?? "missing";
      return cell(SHORT[how] ?? how.replace("fallback:", "→"));
    });
    lines.push(`${id.padEnd(width)}  ${row.join("")}`);
  }
  lines.push(`${"machine".padEnd(width)}  ${LANGUAGES.map((l) => cell(String(report.unreviewed[l] ?? 0))).join("")}`);
  lines.push(`${"drafts".padEnd(width)}  ${LANGUAGES.map((l) => cell(String(drafts?.[l] ?? "-"))).join("")}`);
  lines.push(
    "human = staff recording (approved), machine = shipped machine recording, tts = Twilio voice, →xx = heard in language xx until recorded;",
    "machine row = translations awaiting native review; drafts = recordings awaiting approval (- without the database)",
  );
  return lines.join("\n");
}
