import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { findCall } from "../../calls/call-store.js";
import type { Services } from "../../services.js";
import { utterances } from "./render-step.js";

/** How long each hold announcement is followed by silence before it plays again. */
const HOLD_PAUSE_SECONDS = 20;

export function transferLegRoutes(base: FastifyInstance, s: Services): void {
  const app = base.withTypeProvider<ZodTypeProvider>();
  /** What a caller on hold hears during a transfer: reassurance in their own language, on a loop. */
  app.post("/twilio/hold", { schema: { querystring: z.object({ call: z.string().min(1).max(64) }) } }, async (request, reply) => {
    // The caller is named in the URL we handed out; the body is not read, because Twilio may fetch
    // hold and wait URLs with few or no parameters (the signature still covers whatever it sends).
    const { call: callSid } = request.query;
    reply.type("text/xml");
    const call = await findCall(s.ctx.db, callSid);
    const spoken = utterances(s, { sid: callSid, language: call?.language ?? null }, [{ prompt: "hold" }]);
    return s.twiml.sayThenRedirect(spoken, s.twiml.url("/twilio/hold", { call: callSid }), HOLD_PAUSE_SECONDS);
  });
}
