import type { Db } from "../../db/storage.js";
import type { Coverage, PromptCatalog } from "../ivr/prompt-catalog.js";
import { LANGUAGES } from "../languages.js";
import { listRecordings } from "./recording-store.js";

export interface PromptCoverage {
  prompt: string;
  language: string;
  how: Coverage;
  /** The prompt's text in this language: what the person recording it reads out. */
  text: string | null;
  /** Drafts of this prompt and language waiting for a supervisor, newest first. */
  drafts: number[];
}

export interface CoverageReport {
  prompts: PromptCoverage[];
  /** Languages with prompts heard in another language, and which: what the wallboard flags. */
  fallback: Record<string, string[]>;
  /** Drafts waiting for approval, per language. */
  draftsByLanguage: Record<string, number>;
}

/** Per language and prompt: human recording, machine recording, Twilio voice or fallback, and the drafts waiting. */
export async function recordingCoverage(db: Db, catalog: PromptCatalog): Promise<CoverageReport> {
  const drafts = new Map<string, number[]>();
  const draftsByLanguage: Record<string, number> = Object.fromEntries(LANGUAGES.map((l) => [l, 0]));
  for (const d of await listRecordings(db, ["draft"])) {
    const key = `${d.language}/${d.prompt}`;
    drafts.set(key, [...(drafts.get(key) ?? []), d.id]);
    draftsByLanguage[d.language] = (draftsByLanguage[d.language] ?? 0) + 1;
  }
  const prompts: PromptCoverage[] = [];
  const fallback: Record<string, string[]> = {};
  for (const language of LANGUAGES) {
    for (const prompt of catalog.promptIds()) {
      const how = catalog.coverage(prompt, language);
      if (how.startsWith("fallback:") || how === "missing") (fallback[language] ??= []).push(prompt);
      prompts.push({ prompt, language, how, text: catalog.promptText(prompt, language) ?? null, drafts: drafts.get(`${language}/${prompt}`) ?? [] });
    }
  }
  return { prompts, fallback, draftsByLanguage };
}
