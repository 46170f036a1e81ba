import type { FastifyReply, FastifyRequest } from "fastify";
import { findCall, type CallRow } from "../../calls/call-store.js";
import { voiceWebhookSchema } from "../../telephony/webhook-schemas.js";
import { parseOr400 } from "../errors.js";
import type { PromptPlay, Step } from "../../ivr/flow-engine.js";
import type { Utterance } from "../../ivr/prompt-catalog.js";
import type { Language } from "../../languages.js";
import type { Services } from "../../services.js";

/**
 * Resolves prompts for a call. Prompts heard in another language, or not at all, are logged: one line
 * per answer naming each of them (the language menu alone would otherwise write a line per language).
 */
export function utterances(s: Services, call: Pick<CallRow, "sid" | "language">, plays: PromptPlay[]): Utterance[] {
  const language = (call.language ?? s.flows.flow.defaultLanguage) as Language;
  const out: Utterance[] = [];
  const degradedPrompts: string[] = [];
  for (const play of plays) {
    const { utterance, degraded } = s.catalog.resolve(play, language);
    if (degraded) degradedPrompts.push(degraded);
    if (utterance) out.push(utterance);
  }
  if (degradedPrompts.length) s.log.warn({ callSid: call.sid, callLanguage: language, degraded: degradedPrompts }, "prompts degraded");
  return out;
}

/** TwiML for an IVR step: a menu to answer, or the way into the queue. */
export function renderStep(s: Services, call: Pick<CallRow, "sid" | "language">, step: Step): string {
  const spoken = utterances(s, call, step.prompts);
  if (step.kind === "menu") {
    return s.twiml.menu(spoken, s.twiml.url("/twilio/ivr", { node: step.node, attempt: step.attempt }), step.timeout);
  }
  return s.twiml.sayThenRedirect(spoken, s.twiml.url("/twilio/queue/wait"));
}

/** A webhook that only needs the call: TwiML for it, or a plain goodbye for a call we do not know. */
export function forCall(s: Services, render: (call: CallRow) => string) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const body = parseOr400(voiceWebhookSchema, request.body);
    reply.type("text/xml");
    const call = findCall(s.ctx.db, body.CallSid);
    return call ? render(call) : s.twiml.goodbye([]);
  };
}
