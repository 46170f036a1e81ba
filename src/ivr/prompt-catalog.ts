import { LANGUAGES, type Language } from "../languages.js";
import type { Voice } from "./flow-schema.js";
import type { LoadedFlows } from "./flow-loader.js";
import type { PromptPlay } from "./flow-engine.js";
import { WHISPER_PROMPTS } from "../agents/whisper.js";
import type { ApprovedLookup } from "../recordings/approved-index.js";

/** Prompts the server plays outside the flow's menus; every language must have them too. */
export const SYSTEM_PROMPTS = [
  "queue-position",
  "queue-callback-offer",
  "callback-confirmed",
  "connecting",
  "overflow",
  "technical-problem",
  "callback-greeting",
  "hold",
] as const;
export type SystemPrompt = (typeof SYSTEM_PROMPTS)[number];

/**
 * Prompts the server plays only before any language is chosen, always in Thai then English (the
 * number's fallback answers when nothing about the caller is known): only those two languages need them.
 */
export const BILINGUAL_PROMPTS = ["outage-goodbye"] as const;
export const BILINGUAL_LANGUAGES = ["th", "en"] as const satisfies readonly Language[];

/** A bilingual prompt, as the plays that say it in Thai and then English. */
export const inThaiAndEnglish = (prompt: string): PromptPlay[] => BILINGUAL_LANGUAGES.map((language) => ({ prompt, language }));

/** One thing the caller hears. */
export type Utterance =
  | { kind: "play"; prompt: string; language: Language; path: string }
  | { kind: "say"; prompt: string; language: Language; text: string; voice: Voice };

export interface Resolution {
  utterance: Utterance | undefined;
  /** Set when the caller hears another language than asked, or nothing: logged, never silent. */
  degraded?: string;
}

/**
 * How a prompt reaches callers of one language, for flows:check's coverage table and the recordings page:
 * a human recording approved on the page, a machine recording shipped in audio/, the Twilio voice, another
 * language's prompt, or nothing.
 */
export type Coverage = "human" | "machine" | "voice" | `fallback:${Language}` | "missing";

/** Where approved human recordings are served (src/http/audio-routes.ts): public, as Twilio fetches them for <Play>. */
export const recordedPath = (id: number) => `/audio/recorded/${id}.wav`;

const NO_APPROVED: ApprovedLookup = { version: 0, get: () => undefined };

function fill(text: string, vars: PromptPlay["vars"]): string {
  return text.replace(/\{([a-z]+)\}/g, (all, name: string) => String(vars?.[name] ?? all));
}

export class PromptCatalog {
  constructor(
    private readonly flows: LoadedFlows,
    /** Approved human recordings, which win over shipped recordings and voices. */
    private readonly approved: ApprovedLookup = NO_APPROVED,
  ) {}

  /** Changes whenever what a prompt resolves to may have changed (a staff recording approved): caches of resolved prompts key on it. */
  get version(): number {
    return this.approved.version;
  }

  /** Every prompt id the flow or the server may play. */
  promptIds(): string[] {
    const ids = new Set<string>([...SYSTEM_PROMPTS, ...WHISPER_PROMPTS]);
    for (const node of Object.values(this.flows.flow.nodes)) {
      for (const ref of node.intro) ids.add(ref.prompt);
      if (node.type === "menu") {
        for (const o of node.options) ids.add(o.say.prompt);
        if (node.invalid) ids.add(node.invalid.prompt);
      }
    }
    return [...ids].sort();
  }

  private direct(prompt: string, language: Language, vars: PromptPlay["vars"]): Utterance | undefined {
    const human = this.approved.get(language, prompt);
    if (human !== undefined) return { kind: "play", prompt, language, path: recordedPath(human) };
    const file = this.flows.recordings[language]?.[prompt];
    if (file) return { kind: "play", prompt, language, path: `/audio/${language}/${encodeURIComponent(file)}` };
    const voice = this.flows.flow.voices[language];
    const entry = this.flows.prompts[language]?.prompts[prompt];
    if (!voice || !entry) return undefined;
    const text = voice.reads === "rumi" ? entry.rumi : entry.text;
    return text ? { kind: "say", prompt, language, text: fill(text, vars), voice } : undefined;
  }

  /** The fallback language's voice, reading this language's fallbackText when it has one. */
  private viaFallback(play: PromptPlay, language: Language, fallback: Language): Utterance | undefined {
    const own = this.flows.prompts[language]?.prompts[play.prompt]?.fallbackText;
    const voice = this.flows.flow.voices[fallback];
    if (own && voice) return { kind: "say", prompt: play.prompt, language: fallback, text: fill(own, play.vars), voice };
    return this.direct(play.prompt, fallback, play.vars);
  }

  coverage(prompt: string, language: Language): Coverage {
    if (this.approved.get(language, prompt) !== undefined) return "human";
    if (this.direct(prompt, language, undefined)) {
      return this.flows.recordings[language]?.[prompt] ? "machine" : "voice";
    }
    const fallback = this.flows.flow.fallback[language];
    return fallback && this.direct(prompt, fallback, undefined) ? `fallback:${fallback}` : "missing";
  }

  /** Approved human recording, else shipped recording, else the language's voice, else the declared fallback language, else the default language. */
  resolve(play: PromptPlay, callLanguage: Language): Resolution {
    const language = play.language ?? callLanguage;
    const direct = this.direct(play.prompt, language, play.vars);
    if (direct) return { utterance: direct };
    const fallback = this.flows.flow.fallback[language];
    const viaFallback = fallback ? this.viaFallback(play, language, fallback) : undefined;
    if (viaFallback) return { utterance: viaFallback, degraded: `${play.prompt}: no ${language} recording or voice, spoken in ${fallback}` };
    const last = this.direct(play.prompt, this.flows.flow.defaultLanguage, play.vars);
    return { utterance: last, degraded: `${play.prompt}: cannot be played or spoken in ${language}` };
  }

  /** A prompt's written text in a language (what staff read out when they record it). */
  promptText(prompt: string, language: Language): string | undefined {
    return this.flows.prompts[language]?.prompts[prompt]?.text;
  }

  /** A text message in a language, else in the default language (flows:check makes sure there is one). */
  text(id: string, language: Language): { language: Language; body: string } | undefined {
    const own = this.flows.prompts[language]?.texts[id];
    if (own) return { language, body: own.text };
    const fallback = this.flows.flow.defaultLanguage as Language;
    const other = this.flows.prompts[fallback]?.texts[id];
    return other ? { language: fallback, body: other.text } : undefined;
  }

  /** The language's own name, from its prompt file. */
  languageName(language: Language): string {
    return this.flows.prompts[language]?.name ?? language;
  }

  languages(): readonly Language[] {
    return LANGUAGES;
  }
}
