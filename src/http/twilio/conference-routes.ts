import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { conferencePresence } from "../../queue/connecting.js";
import type { QueueEntry } from "../../queue/queue-store.js";
import type { Utterance } from "../../ivr/prompt-catalog.js";
import type { Services } from "../../services.js";
import { conferenceWebhookSchema } from "../../telephony/webhook-schemas.js";
import { entryQuerySchema } from "./agent-leg-routes.js";

const PRESENCE: Record<string, "join" | "leave" | undefined> = { "participant-join": "join", "participant-leave": "leave" };

/**
 * A leg joins its entry's conference, named after the call. Both legs carry the same status callback, so
 * whichever participant's settings the carrier uses for conference events, they come to one place.
 * The caller's leg gets an action: if the conference ends before they met an agent, they come back.
 */
export function joinConference(s: Services, entry: Pick<QueueEntry, "id" | "callSid" | "kind">, who: "agent" | "caller", utterances: Utterance[] = []): string {
  return s.twiml.conference(entry.callSid, {
    utterances,
    startOnEnter: true,
    endOnExit: true,
    statusCallback: s.twiml.url("/twilio/conference", { entry: entry.id }),
    action: who === "caller" && entry.kind === "live" ? s.twiml.url("/twilio/queue/after-conference") : undefined,
  });
}

export function conferenceRoutes(base: FastifyInstance, s: Services): void {
  const app = base.withTypeProvider<ZodTypeProvider>();
  /** Conference events: "answered" is decided here, when the carrier has both legs in the room. */
  app.post("/twilio/conference", { schema: { querystring: entryQuerySchema, body: conferenceWebhookSchema } }, async (request, reply) => {
    const { entry } = request.query;
    const body = request.body;
    reply.type("text/xml");
    const change = PRESENCE[body.StatusCallbackEvent];
    if (change && body.CallSid) {
      await conferencePresence(s.ctx, { entryId: entry, legSid: body.CallSid, change, conferenceSid: body.ConferenceSid });
    }
    return s.twiml.empty();
  });
}
