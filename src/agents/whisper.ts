import type { PromptPlay } from "../ivr/flow-engine.js";
import { topicSchema } from "../ivr/flow-schema.js";
import { LANGUAGES } from "../languages.js";

/** Prompts counsellors hear, not callers: flows:check covers them in every language all the same. */
export const WHISPER_PROMPTS = [
  ...LANGUAGES.map((l) => `whisper-language-${l}`),
  ...topicSchema.options.map((t) => topicPrompt(t)),
  "whisper-accept",
];

/** Prompt ids are kebab-case; topic codes may have underscores (child_labour). */
function topicPrompt(topic: string): string {
  return `whisper-topic-${topic.replaceAll("_", "-")}`;
}

/**
 * What a phone agent hears on picking up an offer, before the caller is connected: the caller's language,
 * an emergency first, the topic, then the key that accepts. Spoken in the agent's own first language.
 */
export function whisperPrompts(offer: { language: string; topic: string | null; priority: "normal" | "emergency" }): PromptPlay[] {
  const plays: PromptPlay[] = [{ prompt: `whisper-language-${offer.language}` }];
  if (offer.priority === "emergency" && offer.topic !== "emergency") plays.push({ prompt: topicPrompt("emergency") });
  if (offer.topic) plays.push({ prompt: topicPrompt(offer.topic) });
  plays.push({ prompt: "whisper-accept" });
  return plays;
}

/** The key that accepts an offer after the whisper. */
export const ACCEPT_KEY = "1";
