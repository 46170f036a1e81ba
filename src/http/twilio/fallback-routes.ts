import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { recordOutageCall } from "../../calls/outage-calls.js";
import { inThaiAndEnglish } from "../../ivr/prompt-catalog.js";
import type { Services } from "../../services.js";
import { fallbackWebhookSchema } from "../../telephony/webhook-schemas.js";
import { utterances } from "./render-step.js";

/** Only the path of the URL that failed is logged: its query is not ours to keep. */
const pathOf = (url: string | undefined) => (url ? url.split("?")[0]?.replace(/^https?:\/\/[^/]+/, "") : undefined);

export function fallbackRoutes(base: FastifyInstance, s: Services): void {
  const app = base.withTypeProvider<ZodTypeProvider>();
  /**
   * The hotline number's VoiceFallbackUrl: Twilio asks here when the Voice URL could not be reached or
   * gave no usable TwiML. The caller hears an apology in Thai and English and is hung up on; the call is
   * stored as missed (outcome `outage`, a callback item with reason `outage`). A repeat changes nothing.
   */
  app.post("/twilio/fallback", { schema: { body: fallbackWebhookSchema } }, async (request, reply) => {
    const body = request.body;
    reply.type("text/xml");
    const log = s.log.child({ callSid: body.CallSid });
    // Only calls to the number come here; anything else is only apologised to.
    if (!body.Direction || body.Direction === "inbound") {
      const now = s.ctx.clock.now();
      // The apology and hang-up that follow end the call "completed".
      const stored = await recordOutageCall(s.webhookCtx, { sid: body.CallSid, from: body.From, to: body.To, status: "completed", startedAt: now, endedAt: now }, "fallback");
      log.warn({ errorCode: body.ErrorCode, failedPath: pathOf(body.ErrorUrl), stored: Boolean(stored) }, "voice URL failed: the caller heard an apology and will be called back");
    }
    return s.twiml.goodbye(utterances(s, { sid: body.CallSid, language: null }, inThaiAndEnglish("outage-goodbye")));
  });
}
