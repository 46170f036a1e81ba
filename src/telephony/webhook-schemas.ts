import { z } from "zod";

/** Twilio's parameters we rely on; others are accepted and ignored (Twilio adds new ones over time). */
const callSid = z.string().regex(/^CA[0-9a-fA-F]{32}$/, "CallSid must be CA followed by 32 hex digits");

export const callStatusSchema = z.enum(["queued", "initiated", "ringing", "in-progress", "completed", "busy", "failed", "no-answer", "canceled"]);
export type CallStatus = z.infer<typeof callStatusSchema>;

export const voiceWebhookSchema = z.looseObject({
  CallSid: callSid,
  AccountSid: z.string().min(1),
  From: z.string().default(""),
  To: z.string().default(""),
  CallStatus: callStatusSchema.optional(),
  Direction: z.string().optional(),
});
export type VoiceWebhook = z.infer<typeof voiceWebhookSchema>;

/** The number's fallback URL gets the voice request that failed, plus what failed (Twilio's error code and URL). */
export const fallbackWebhookSchema = voiceWebhookSchema.extend({
  ErrorCode: z.string().max(16).optional(),
  ErrorUrl: z.string().max(2048).optional(),
});

export const gatherWebhookSchema = voiceWebhookSchema.extend({
  Digits: z.string().regex(/^[0-9*#]*$/, "Digits may hold only 0-9, * and #").max(64).optional(),
});

/** The callee picked up a call placed with answering-machine detection: AnsweredBy says who. */
export const answeredWebhookSchema = voiceWebhookSchema.extend({
  AnsweredBy: z.string().regex(/^[a-z_]{1,40}$/, "AnsweredBy is a word like human or machine_start").optional(),
});

/** Twilio's AnsweredBy: machine_start, machine_end_beep/silence/other and fax are not the person we called. */
export const isMachine = (answeredBy: string | undefined) => Boolean(answeredBy && (answeredBy.startsWith("machine") || answeredBy === "fax"));

/** A conference status callback: participant events name the leg in CallSid. */
export const conferenceWebhookSchema = z.looseObject({
  AccountSid: z.string().min(1),
  ConferenceSid: z.string().regex(/^CF[0-9a-fA-F]{32}$/, "ConferenceSid must be CF followed by 32 hex digits"),
  StatusCallbackEvent: z.string().regex(/^[a-z-]{1,40}$/, "StatusCallbackEvent is a word like participant-join"),
  CallSid: callSid.optional(),
  SequenceNumber: z.string().regex(/^\d+$/).optional(),
});

export const statusWebhookSchema = z.looseObject({
  CallSid: callSid,
  AccountSid: z.string().min(1),
  CallStatus: callStatusSchema,
  SequenceNumber: z.string().regex(/^\d+$/).optional(),
  CallDuration: z.string().regex(/^\d+$/).optional(),
  ParentCallSid: z.string().optional(),
});
export type StatusWebhook = z.infer<typeof statusWebhookSchema>;

export const ivrQuerySchema = z.object({
  node: z.string().regex(/^[a-z][a-z0-9-]*$/),
  attempt: z.coerce.number().int().min(0).max(10),
});
