import { z } from "zod";
import pino, { type Logger } from "pino";
import type { Clock } from "../clock.js";

const e164 = z.string().regex(/^\+[1-9]\d{1,14}$/, "must be an E.164 number like +6621234567");

export const carrierOptionsSchema = z.object({
  accountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, "must be AC followed by 32 hex digits"),
  authToken: z.string().min(1),
  /**
   * The hotline number's settings when the carrier starts (Twilio's "A call comes in" webhook and the
   * rest); afterwards they are the number's, changed through the IncomingPhoneNumbers REST API.
   */
  voiceUrl: z.url({ protocol: /^https?$/ }),
  voiceMethod: z.enum(["GET", "POST"]).default("POST"),
  /** The number's fallback URL: requested when the Voice URL fails (unreachable, an HTTP error, bad TwiML). */
  voiceFallbackUrl: z.url({ protocol: /^https?$/ }).optional(),
  voiceFallbackMethod: z.enum(["GET", "POST"]).default("POST"),
  /** The hotline number's Status Callback URL: Twilio posts there once, when an inbound call ends. */
  statusCallbackUrl: z.url({ protocol: /^https?$/ }).optional(),
  statusCallbackMethod: z.enum(["GET", "POST"]).default("POST"),
  hotlineNumber: e164,
  /** Ask for every <Play> URL (HEAD) and mark the prompt missing in the transcript when it is not there. */
  verifyMedia: z.boolean().default(false),
});

export type CarrierConfig = z.infer<typeof carrierOptionsSchema>;

export type CarrierOptions = z.input<typeof carrierOptionsSchema> & { clock: Clock; logger?: Logger };

export function parseCarrierOptions(opts: CarrierOptions): { config: CarrierConfig; clock: Clock; logger: Logger } {
  const { clock, logger, ...rest } = opts;
  return { config: carrierOptionsSchema.parse(rest), clock, logger: logger ?? pino({ level: "silent" }) };
}
