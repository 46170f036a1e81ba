import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { acceptOffer } from "../../queue/queue-service.js";
import type { Services } from "../../services.js";
import { voiceWebhookSchema } from "../../telephony/webhook-schemas.js";
import { parseOr400 } from "../errors.js";

export const entryQuerySchema = z.object({ entry: z.coerce.number().int().positive() });

export function agentLegRoutes(app: FastifyInstance, s: Services): void {
  /** The agent picked up the offered call: they join the caller's conference (the caller is brought in next). */
  app.post("/twilio/agent/answer", async (request, reply) => {
    const { entry } = parseOr400(entryQuerySchema, request.query);
    const body = parseOr400(voiceWebhookSchema, request.body);
    reply.type("text/xml");
    const result = acceptOffer(s.ctx, entry, body.CallSid);
    if (!result.ok) {
      s.log.child({ callSid: body.CallSid }).info({ reason: result.reason }, "agent answered an offer that is gone");
      return s.twiml.goodbye([]);
    }
    // The agent leaving ends the call for now; a transfer changes that on the participant.
    return s.twiml.conference(result.call.sid, { startOnEnter: true, endOnExit: true });
  });
}
