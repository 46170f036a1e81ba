import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { admitInboundCall, recordIvrStep } from "../../calls/call-lifecycle.js";
import { findCall, type CallRow } from "../../calls/call-store.js";
import { chooseInMenu, enterNode, startStep } from "../../ivr/flow-engine.js";
import type { Language } from "../../languages.js";
import type { Services } from "../../services.js";
import { inTransaction } from "../../events/event-log.js";
import { gatherWebhookSchema, ivrQuerySchema, voiceWebhookSchema, type VoiceWebhook } from "../../telephony/webhook-schemas.js";
import { renderStep, utterances } from "./render-step.js";
import { inThaiAndEnglish } from "../../ivr/prompt-catalog.js";
import { callerConference } from "./queue-routes.js";

/** TwiML for wherever a known call is now: used when Twilio repeats a webhook or posts a stale one. */
export async function currentTwiml(s: Services, call: CallRow): Promise<string> {
  if (call.state === "ivr" && call.ivrNode && s.flows.flow.nodes[call.ivrNode]) {
    return renderStep(s, call, enterNode(s.flows.flow, call.ivrNode, call.ivrRetries));
  }
  if (call.state === "queued" || call.state === "ringing") return s.twiml.sayThenRedirect([], s.twiml.url("/twilio/queue/wait"));
  if (call.state === "connected") return callerConference(s, call, false);
  return s.twiml.goodbye([]);
}

export function voiceRoutes(base: FastifyInstance, s: Services): void {
  const app = base.withTypeProvider<ZodTypeProvider>();
  /** A call reaches the number: admitted to the IVR, or turned away when every line is taken. */
  const arrive = async (body: VoiceWebhook): Promise<string> => {
    const result = await admitInboundCall(s.webhookCtx, {
      sid: body.CallSid,
      from: body.From,
      to: body.To,
      rememberDays: s.flows.flow.returningWindowDays,
      firstStep: (known) => startStep(s.flows.flow, known),
    });
    if (result.kind === "repeat") return currentTwiml(s, result.call);
    // One line per arrival, with the call's SID (never the number): a child logger for it cost more than the line.
    const callSid = body.CallSid;
    if (result.kind === "overflow") {
      s.log.info({ callSid }, "all lines busy: call overflowed");
      if (s.config.OVERFLOW_MODE === "reject") return s.twiml.rejectBusy();
      // Before a language is chosen the apology is given in Thai and English.
      return s.twiml.goodbye(utterances(s, result.call, inThaiAndEnglish("overflow")));
    }
    s.log.info({ callSid, returning: Boolean(result.knownLanguage) }, "call admitted to the IVR");
    return renderStep(s, result.call, result.decision.step);
  };

  app.post("/twilio/voice", { schema: { body: voiceWebhookSchema } }, async (request, reply) => {
    const body = request.body;
    reply.type("text/xml");
    return arrive(body);
  });

  /**
   * Where a caller goes after an apology: back to whatever their call was doing. An inbound call whose
   * very first webhook failed was never stored: it arrives now. A leg the hotline placed is not a caller.
   */
  app.post("/twilio/resume", { schema: { body: voiceWebhookSchema } }, async (request, reply) => {
    const body = request.body;
    reply.type("text/xml");
    const call = await findCall(s.ctx.db, body.CallSid);
    if (call) return currentTwiml(s, call);
    return body.Direction === "inbound" ? arrive(body) : s.twiml.goodbye([]);
  });

  app.post("/twilio/ivr", { schema: { querystring: ivrQuerySchema, body: gatherWebhookSchema } }, async (request, reply) => {
    const query = request.query;
    const body = request.body;
    reply.type("text/xml");
    const outcome = await inTransaction(s.webhookCtx, async (tx, record) => {
      const call = await findCall(tx, body.CallSid);
      if (!call) return undefined;
      // A repeated or late Gather answer for a menu the caller has left changes nothing.
      if (call.state !== "ivr" || call.ivrNode !== query.node || call.ivrRetries !== query.attempt) return { call, fresh: false as const };
      const facts = {
        language: (call.language ?? undefined) as Language | undefined,
        topic: (call.topic ?? undefined) as never,
        priority: call.priority,
      };
      const decision = chooseInMenu(s.flows.flow, query.node, query.attempt, body.Digits ?? "", facts);
      return { call: await recordIvrStep(tx, record, call, decision, s.ctx.clock.now()), decision, fresh: true as const };
    });
    if (!outcome) return s.twiml.goodbye([]);
    if (!outcome.fresh) return currentTwiml(s, outcome.call);
    return renderStep(s, outcome.call, outcome.decision.step);
  });
}
