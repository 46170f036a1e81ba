import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { applyInboundStatus, isTerminalStatus } from "../../calls/call-lifecycle.js";
import { missOffer } from "../../queue/queue-service.js";
import { agentLegEnded, callBackEnded } from "../../queue/connecting.js";
import { entryById } from "../../queue/queue-store.js";
import type { Services } from "../../services.js";
import { statusWebhookSchema } from "../../telephony/webhook-schemas.js";
import { entryQuerySchema } from "./agent-leg-routes.js";
import { z } from "zod";
import { liveMonitor, recordMonitor } from "../../supervision/monitoring.js";
import { agencyAnswered, agencyGone, transferById } from "../../transfers/transfer-service.js";

/** Legs the hotline placed carry what they belong to in the callback URL: a transfer, or a queue entry (and which leg). */
const statusQuerySchema = z.object({
  transfer: z.coerce.number().int().positive().optional(),
  entry: entryQuerySchema.shape.entry.optional(),
  leg: z.string().max(16).optional(),
  /** A supervisor's monitoring leg: the live call it listens to. */
  monitor: z.string().max(64).optional(),
});

export function statusRoutes(base: FastifyInstance, s: Services): void {
  const app = base.withTypeProvider<ZodTypeProvider>();
  app.post("/twilio/status", { schema: { body: statusWebhookSchema, querystring: statusQuerySchema } }, async (request, reply) => {
    const body = request.body;
    reply.type("text/xml");
    const query = request.query;
    if (query.transfer !== undefined) {
      const { transfer } = query;
      const current = await transferById(s.ctx.db, transfer);
      if (body.CallStatus === "in-progress" && current?.status === "dialling") await agencyAnswered(s.ctx, transfer, body.CallSid);
      // Not answered, refused, or hung up while being briefed: the caller goes back (never left alone).
      else if (isTerminalStatus(body.CallStatus) && (current?.status === "dialling" || current?.status === "briefing")) await agencyGone(s.ctx, transfer, body.CallStatus);
      return s.twiml.empty();
    }
    // A supervisor's leg (listen, whisper, barge): its end, by hanging up or not answering, ends the monitoring.
    if (query.monitor !== undefined) {
      const monitor = isTerminalStatus(body.CallStatus) ? await liveMonitor(s.ctx.db, query.monitor, body.CallSid) : undefined;
      if (monitor) await recordMonitor(s.ctx, { callSid: monitor.callSid, agentId: monitor.agentId }, monitor.id, monitor.supervisorId, { kind: "ended" });
      return s.twiml.empty();
    }
    // Agent legs carry their queue entry in the callback URL: the leg may report before its SID is stored.
    if (query.entry !== undefined) {
      const { entry } = query;
      if (query.leg === "caller") {
        // The call-back leg to a caller ended. Once caller and agent met, the agent's leg decides what
        // follows; before that it is an attempt that did not reach them ("completed": hung up while
        // being connected).
        if (isTerminalStatus(body.CallStatus)) await callBackEnded(s.ctx, entry, body.CallStatus === "busy" || body.CallStatus === "failed" ? body.CallStatus : "no_answer");
        return s.twiml.empty();
      }
      if (isTerminalStatus(body.CallStatus)) {
        const current = await entryById(s.ctx.db, entry);
        if (current?.status === "offered") await missOffer(s.ctx, entry, body.CallStatus, body.CallSid);
        else await agentLegEnded(s.ctx, entry, body.CallSid, body.CallStatus);
      }
      return s.twiml.empty();
    }
    const call = await applyInboundStatus(s.webhookCtx, { sid: body.CallSid, status: body.CallStatus, sequence: body.SequenceNumber });
    if (call?.state === "ended") s.log.child({ callSid: call.sid }).info({ outcome: call.outcome }, "call ended");
    return s.twiml.empty();
  });
}
