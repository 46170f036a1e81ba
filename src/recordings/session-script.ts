import type { LoadedFlows } from "../ivr/flow-loader.js";
import type { Utterance } from "../ivr/prompt-catalog.js";
import type { Language } from "../languages.js";

/**
 * What a supervisor hears while recording a prompt by phone. The instructions are staff-facing, in English
 * (the hotline's staff language for tools; the page shows the same steps in Thai and English); the prompt's
 * own text is read by its language's Twilio voice where there is one, else they are told it is on screen.
 */
const LINES = {
  intro: "Recording a prompt for the 1300 hotline. The text to record is:",
  onScreen: "Twilio has no voice for this language: the text to record is shown on the recordings page.",
  beep: "Record after the beep. Press the hash key when you have finished.",
  nothing: "Nothing was recorded. Goodbye.",
  review: "That was your recording. Press 1 to keep it as a draft for approval, or 2 to record it again.",
  kept: "Thank you. The recording is saved as a draft; a supervisor approves it on the recordings page. Goodbye.",
  dropped: "Nothing was kept. Goodbye.",
} as const;
export type ScriptLine = keyof typeof LINES;

export class SessionScript {
  constructor(private readonly flows: LoadedFlows) {}

  /** Staff instructions, in the English voice (else the default language's). */
  line(id: ScriptLine): Utterance[] {
    const voice = this.flows.flow.voices.en ?? this.flows.flow.voices[this.flows.flow.defaultLanguage as Language];
    return voice ? [{ kind: "say", prompt: `recording-session:${id}`, language: "en", text: LINES[id], voice }] : [];
  }

  /** Before the beep: the prompt's current text read in its own voice, or where to read it. */
  beforeTake(prompt: string, language: Language): Utterance[] {
    const voice = this.flows.flow.voices[language];
    const entry = this.flows.prompts[language]?.prompts[prompt];
    const text = voice?.reads === "rumi" ? entry?.rumi : entry?.text;
    const read: Utterance[] = voice && text ? [...this.line("intro"), { kind: "say", prompt, language, text, voice }] : this.line("onScreen");
    return [...read, ...this.line("beep")];
  }
}
