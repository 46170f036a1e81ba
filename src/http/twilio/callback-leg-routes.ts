import type { FastifyInstance } from "fastify";
import { finishAttempt } from "../../callbacks/callback-service.js";
import { entryById } from "../../queue/queue-store.js";
import type { Services } from "../../services.js";
import { voiceWebhookSchema } from "../../telephony/webhook-schemas.js";
import { parseOr400 } from "../errors.js";
import { entryQuerySchema } from "./agent-leg-routes.js";
import { utterances } from "./render-step.js";

export function callbackLegRoutes(app: FastifyInstance, s: Services): void {
  /** The caller picked up our call-back: they hear who is calling and join the agent already waiting. */
  app.post("/twilio/callback/answer", async (request, reply) => {
    const { entry: entryId } = parseOr400(entryQuerySchema, request.query);
    const body = parseOr400(voiceWebhookSchema, request.body);
    reply.type("text/xml");
    const entry = entryById(s.ctx.db, entryId);
    if (!entry || entry.status !== "connected") return s.twiml.goodbye([]);
    const item = finishAttempt(s.ctx, s.ctx.callbackPolicy, entryId, "reached");
    s.log.child({ callSid: body.CallSid }).info({ callbackId: entry.callbackId }, "caller reached by call-back");
    const language = item?.language ?? entry.language;
    return s.twiml.conference(entry.callSid, {
      utterances: utterances(s, { sid: body.CallSid, language }, [{ prompt: "callback-greeting" }]),
      startOnEnter: true,
      endOnExit: true,
    });
  });
}
