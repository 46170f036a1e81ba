import { z } from "zod";
import { LANGUAGES, languageSchema } from "../languages.js";

export const topicSchema = z.enum(["violence", "trafficking", "pregnancy", "child_labour", "other", "emergency"]);
export type Topic = z.infer<typeof topicSchema>;
export const prioritySchema = z.enum(["normal", "emergency"]);
export type Priority = z.infer<typeof prioritySchema>;

const promptId = z.string().regex(/^[a-z][a-z0-9-]*$/, "prompt ids are kebab-case");
const nodeId = z.string().regex(/^[a-z][a-z0-9-]*$/, "node ids are kebab-case");

/** A prompt to play: in the caller's language unless the flow pins one (the language menu does). */
export const promptRefSchema = z.object({ prompt: promptId, language: languageSchema.optional() }).strict();
export type PromptRef = z.infer<typeof promptRefSchema>;

/** What choosing something does to the call. */
export const effectSchema = z
  .object({
    set: z
      .object({ language: languageSchema, topic: topicSchema, priority: prioritySchema })
      .partial()
      .strict()
      .optional(),
    goto: nodeId,
  })
  .strict();
export type Effect = z.infer<typeof effectSchema>;

const menuOptionSchema = effectSchema.extend({
  key: z.string().regex(/^[0-9*#]$/, "a key is one of 0-9 * #"),
  say: promptRefSchema,
});

const menuNodeSchema = z
  .object({
    type: z.literal("menu"),
    intro: z.array(promptRefSchema).default([]),
    options: z.array(menuOptionSchema).min(1),
    /** Seconds to wait for a key after the last prompt. */
    timeout: z.number().int().min(1).max(60).default(5),
    /** How many times the menu is played again after no input or a wrong key. */
    retries: z.number().int().min(0).max(5).default(1),
    invalid: promptRefSchema.optional(),
    onFailure: effectSchema,
  })
  .strict();

const queueNodeSchema = z.object({ type: z.literal("queue"), intro: z.array(promptRefSchema).default([]) }).strict();

export const nodeSchema = z.discriminatedUnion("type", [menuNodeSchema, queueNodeSchema]);
export type FlowNode = z.infer<typeof nodeSchema>;
export type MenuNode = z.infer<typeof menuNodeSchema>;

const voiceSchema = z
  .object({
    /** Twilio <Say> language, e.g. th-TH. */
    language: z.string().min(2),
    voice: z.string().min(1),
    /** Which text the voice reads: Yawi is written in Jawi but spoken by a Malay voice from its Rumi spelling. */
    reads: z.enum(["text", "rumi"]).default("text"),
  })
  .strict();
export type Voice = z.infer<typeof voiceSchema>;

export const flowSchema = z
  .object({
    defaultLanguage: languageSchema,
    start: nodeId,
    /** Where a caller whose language is known from an earlier call starts. */
    returningStart: nodeId,
    returningWindowDays: z.number().int().min(1).max(3650).default(90),
    /** Twilio has no voice for some languages: null there, and recordings carry the prompts. */
    voices: z.record(languageSchema, voiceSchema.nullable()),
    /**
     * The language spoken when a prompt has neither a recording nor a voice. Declared, never implied:
     * flows:check lists every prompt that relies on it, and the server logs each use.
     */
    fallback: z.partialRecord(languageSchema, languageSchema).default({}),
    /**
     * Prompts whose text names the caller's language ("For Khmer, press 3"). Spoken through a fallback,
     * the fallback language's own text would name the wrong language, so these need a fallbackText.
     */
    namesTheLanguage: z.array(promptId).default([]),
    nodes: z.record(nodeId, nodeSchema),
  })
  .strict();
export type Flow = z.infer<typeof flowSchema>;

/** Where a translation came from: machine-made texts wait for a native speaker's review. */
export const sourceSchema = z.enum(["original", "machine", "native-reviewed"]);

export const promptTextSchema = z
  .object({
    text: z.string().min(1),
    /** Latin-script reading (Rumi) for languages written in another script, read by the voice. */
    rumi: z.string().min(1).optional(),
    /** What the fallback language's voice says for this prompt, written in the fallback language. */
    fallbackText: z.string().min(1).optional(),
    source: sourceSchema,
  })
  .strict();

export const promptFileSchema = z
  .object({
    language: languageSchema,
    /** The language's own name, in its own script. */
    name: z.string().min(1),
    prompts: z.record(promptId, promptTextSchema),
    /** Text messages (SMS) in this language: each must fit one UCS-2 segment, 70 characters. */
    texts: z.record(promptId, promptTextSchema).default({}),
  })
  .strict();
export type PromptFile = z.infer<typeof promptFileSchema>;

export const ALL_LANGUAGES = LANGUAGES;
