import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { LANGUAGES, type Language } from "../languages.js";
import { flowSchema, promptFileSchema, type Flow, type PromptFile } from "./flow-schema.js";

export interface LoadedFlows {
  flow: Flow;
  prompts: Partial<Record<Language, PromptFile>>;
  /** audio/<lang>/<prompt>.<ext> files found on disk: lang → prompt id → file name. */
  recordings: Partial<Record<Language, Record<string, string>>>;
  dir: string;
}

export class FlowFileError extends Error {}

const AUDIO_EXTENSIONS = [".wav", ".mp3"];

function readYaml(file: string): unknown {
  try {
    return parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new FlowFileError(`${file}: ${(err as Error).message}`);
  }
}

function validated<T>(file: string, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } }, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  ${i.path.join(".") || "(file)"}: ${i.message}`);
  throw new FlowFileError(`${file} is not a valid flow file:\n${lines.join("\n")}`);
}

/** Reads flow.yaml, prompts/*.yaml and the list of recordings. Shape errors throw; coverage is flows:check's job. */
export function loadFlows(dir: string): LoadedFlows {
  const flowFile = join(dir, "flow.yaml");
  const flow = validated(flowFile, flowSchema, readYaml(flowFile));
  const prompts: LoadedFlows["prompts"] = {};
  const recordings: LoadedFlows["recordings"] = {};
  for (const language of LANGUAGES) {
    const file = join(dir, "prompts", `${language}.yaml`);
    if (existsSync(file)) {
      const parsed = validated(file, promptFileSchema, readYaml(file));
      if (parsed.language !== language) throw new FlowFileError(`${file} says language "${parsed.language}"`);
      prompts[language] = parsed;
    }
    const audioDir = join(dir, "audio", language);
    if (existsSync(audioDir)) {
      const found: Record<string, string> = {};
      for (const name of readdirSync(audioDir).sort()) {
        const ext = AUDIO_EXTENSIONS.find((e) => name.endsWith(e));
        if (ext) found[name.slice(0, -ext.length)] ??= name;
      }
      recordings[language] = found;
    }
  }
  return { flow, prompts, recordings, dir };
}
