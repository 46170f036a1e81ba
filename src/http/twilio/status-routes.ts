import type { FastifyInstance } from "fastify";
import { applyInboundStatus } from "../../calls/call-lifecycle.js";
import type { Services } from "../../services.js";
import { parseOr400 } from "../errors.js";
import { statusWebhookSchema } from "../../telephony/webhook-schemas.js";

export function statusRoutes(app: FastifyInstance, s: Services): void {
  app.post("/twilio/status", async (request, reply) => {
    const body = parseOr400(statusWebhookSchema, request.body);
    const call = applyInboundStatus(s.ctx, { sid: body.CallSid, status: body.CallStatus, sequence: body.SequenceNumber });
    if (call?.state === "ended") s.log.child({ callSid: call.sid }).info({ outcome: call.outcome }, "call ended");
    reply.type("text/xml");
    return s.twiml.empty();
  });
}
