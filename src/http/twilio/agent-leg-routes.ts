import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { findAgent } from "../../agents/presence.js";
import { ACCEPT_KEY, whisperPrompts } from "../../agents/whisper.js";
import { findCall } from "../../calls/call-store.js";
import { acceptOffer, startWhisper } from "../../queue/connecting.js";
import { missOffer } from "../../queue/queue-service.js";
import { entryById } from "../../queue/queue-store.js";
import type { Services } from "../../services.js";
import { isBrowserPhone } from "../../telephony/endpoint.js";
import { gatherWebhookSchema, voiceWebhookSchema } from "../../telephony/webhook-schemas.js";
import { joinConference } from "./conference-routes.js";
import { utterances } from "./render-step.js";

export const entryQuerySchema = z.object({ entry: z.coerce.number().int().positive() });

/** Seconds a phone agent has to press the key once the whisper has been heard. */
const WHISPER_KEY_SECONDS = 6;

export function agentLegRoutes(base: FastifyInstance, s: Services): void {
  const app = base.withTypeProvider<ZodTypeProvider>();
  /** The agent's leg took the offered call into the conference, or the offer is gone and the leg ends. */
  const accept = async (entryId: number, legSid: string): Promise<string> => {
    const result = await acceptOffer(s.ctx, entryId, legSid);
    if (!result.ok) {
      s.log.child({ callSid: legSid }).info({ reason: result.reason }, "agent answered an offer that is gone");
      return s.twiml.goodbye([]);
    }
    return joinConference(s, result.entry, "agent");
  };

  /**
   * The agent's phone picked up. A browser phone was answered by the agent in the page; a phone number or
   * SIP address may be a voicemail, so its agent hears the whisper and must press the key.
   */
  app.post("/twilio/agent/answer", { schema: { querystring: entryQuerySchema, body: voiceWebhookSchema } }, async (request, reply) => {
    const { entry: entryId } = request.query;
    const body = request.body;
    reply.type("text/xml");
    const entry = await entryById(s.ctx.db, entryId);
    const agent = entry?.agentId ? await findAgent(s.ctx.db, entry.agentId) : undefined;
    if (!agent || isBrowserPhone(agent.endpoint)) return accept(entryId, body.CallSid);
    const whispering = await startWhisper(s.ctx, entryId, body.CallSid);
    const call = whispering ? await findCall(s.ctx.db, whispering.callSid) : undefined;
    if (!whispering || !call) return s.twiml.goodbye([]);
    const plays = whisperPrompts({ language: whispering.language, topic: call.topic, priority: whispering.priority });
    const spoken = utterances(s, { sid: body.CallSid, language: agent.languages[0] ?? null }, plays);
    return s.twiml.menu(spoken, s.twiml.url("/twilio/agent/accept", { entry: entryId }), WHISPER_KEY_SECONDS);
  });

  /** After the whisper: only the key connects the caller; no key, another key or silence is an unanswered offer. */
  app.post("/twilio/agent/accept", { schema: { querystring: entryQuerySchema, body: gatherWebhookSchema } }, async (request, reply) => {
    const { entry: entryId } = request.query;
    const body = request.body;
    reply.type("text/xml");
    if (body.Digits === ACCEPT_KEY) return accept(entryId, body.CallSid);
    await missOffer(s.ctx, entryId, body.Digits ? "declined_by_key" : "no_key", body.CallSid);
    return s.twiml.goodbye([]);
  });
}
