import type { FastifyReply, FastifyRequest } from "fastify";
import { findCall, type CallRow } from "../../calls/call-store.js";
import { voiceWebhookSchema, type VoiceWebhook } from "../../telephony/webhook-schemas.js";
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
  const { spoken, degraded } = resolvePrompts(s, language, plays);
  logDegraded(s, call.sid, language, degraded);
  return spoken;
}

function resolvePrompts(s: Services, language: Language, plays: readonly PromptPlay[]): { spoken: Utterance[]; degraded: string[] } {
  const spoken: Utterance[] = [];
  const degraded: string[] = [];
  for (const play of plays) {
    const resolution = s.catalog.resolve(play, language);
    if (resolution.degraded) degraded.push(resolution.degraded);
    if (resolution.utterance) spoken.push(resolution.utterance);
  }
  return { spoken, degraded };
}

function logDegraded(s: Services, callSid: string, language: Language, degraded: string[]): void {
  if (degraded.length) s.log.warn({ callSid, callLanguage: language, degraded }, "prompts degraded");
}

/**
 * Steps already rendered, by language and step (`Step.id`: node, attempt, wrong-key prompt or not):
 * every caller at the same point of the flow in the same language hears the same document, and resolving
 * its prompts and building it through twilio's XML writer cost more than the rest of an IVR step.
 * Bounded: emptied when full. Per prompt catalog and flow, so a hotline built with other flows (a test's)
 * never sees another's documents.
 *
 * Prompts heard in another language are logged when the step is rendered (once per step and language
 * while the catalog stays the same, naming the call that first met it), not on every caller's step: the
 * language menu names Khmer and Lao in Thai for every caller, and the warning only says what the catalog lacks.
 */
const rendered = new WeakMap<object, { version: number; flow: object; steps: Map<string, string> }>();
const RENDERED_LIMIT = 2_000;

/** TwiML for an IVR step: a menu to answer, or the way into the queue. */
export function renderStep(s: Services, call: Pick<CallRow, "sid" | "language">, step: Step): string {
  const language = (call.language ?? s.flows.flow.defaultLanguage) as Language;
  // An approved staff recording changes what a step plays: the catalog's version moves and the steps are rendered anew.
  let entry = rendered.get(s.catalog);
  if (entry?.version !== s.catalog.version || entry.flow !== s.flows.flow) rendered.set(s.catalog, (entry = { version: s.catalog.version, flow: s.flows.flow, steps: new Map() }));
  const cache = entry.steps;
  const key = `${language} ${step.id}`;
  let twiml = cache.get(key);
  if (twiml === undefined) {
    const { spoken, degraded } = resolvePrompts(s, language, step.prompts);
    twiml =
      step.kind === "menu"
        ? s.twiml.menu(spoken, s.twiml.url("/twilio/ivr", { node: step.node, attempt: step.attempt }), step.timeout)
        : s.twiml.sayThenRedirect(spoken, s.twiml.url("/twilio/queue/wait"));
    if (cache.size >= RENDERED_LIMIT) cache.clear();
    cache.set(key, twiml);
    logDegraded(s, call.sid, language, degraded);
  }
  return twiml;
}

/** A webhook that only needs the call (route options with its schema): TwiML for it, or a plain goodbye for a call we do not know. */
export function forCall(s: Services, render: (call: CallRow) => string | Promise<string>) {
  return {
    schema: { body: voiceWebhookSchema },
    handler: async (request: FastifyRequest, reply: FastifyReply) => {
      // Validated against the schema above before the handler runs.
      const body = request.body as VoiceWebhook;
      reply.type("text/xml");
      const call = await findCall(s.ctx.db, body.CallSid);
      return call ? render(call) : s.twiml.goodbye([]);
    },
  };
}
