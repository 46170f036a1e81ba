import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { admitInboundCall, recordIvrStep } from "../../calls/call-lifecycle.js";
import { findCall, type CallRow } from "../../calls/call-store.js";
import { answerMenu, enterNode, menuNode, startStep } from "../../ivr/flow-engine.js";
import type { Services } from "../../services.js";
import { gatherWebhookSchema, ivrQuerySchema, voiceWebhookSchema, type VoiceWebhook } from "../../telephony/webhook-schemas.js";
import { renderStep, utterances } from "./render-step.js";
import { inThaiAndEnglish } from "../../ivr/prompt-catalog.js";
import type { Language } from "../../languages.js";
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
  const firstStep = (known: Language | undefined) => startStep(s.flows.flow, known);
  /** A call reaches the number: admitted to the IVR, or turned away when every line is taken. */
  const arrive = async (body: VoiceWebhook): Promise<string> => {
    const result = await admitInboundCall(s.webhookCtx, { sid: body.CallSid, from: body.From, to: body.To, rememberDays: s.flows.flow.returningWindowDays, firstStep });
    if (result.kind === "repeat") return currentTwiml(s, result.call);
    if (result.kind === "overflow") {
      // With the call's SID, never the number.
      s.log.info({ callSid: body.CallSid }, "all lines busy: call overflowed");
      if (s.config.OVERFLOW_MODE === "reject") return s.twiml.rejectBusy();
      // Before a language is chosen the apology is given in Thai and English.
      return s.twiml.goodbye(utterances(s, result.call, inThaiAndEnglish("overflow")));
    }
    // An admitted call's line is the request's own (POST /twilio/voice with its call SID, src/http/access-log.ts):
    // a second line per arrival cost as much as a tenth of the arrival. Whether the caller was known is in call.arrived.
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
    const from = request.query;
    const body = request.body;
    reply.type("text/xml");
    // Where the answer leads depends on the menu and the key alone: decided first, stored in one write.
    const answer = menuNode(s.flows.flow, from.node) ? answerMenu(s.flows.flow, from.node, from.attempt, body.Digits ?? "") : undefined;
    const stepped = answer && (await recordIvrStep(s.webhookCtx, body.CallSid, from, answer, s.ctx.clock.now()));
    if (stepped) return renderStep(s, { sid: body.CallSid, language: stepped.language ?? null }, stepped.step);
    // The rare path: a repeated or late Gather answer for a menu the caller has left changed nothing and
    // hears where the call is now; an unknown call hears goodbye.
    const call = await findCall(s.ctx.db, body.CallSid);
    return call ? currentTwiml(s, call) : s.twiml.goodbye([]);
  });
}
