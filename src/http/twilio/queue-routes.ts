import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { findCall, type CallRow } from "../../calls/call-store.js";
import { waitAnnouncement } from "../../queue/queue-figures.js";
import { requestCallback } from "../../queue/queue-service.js";
import { entryForCall } from "../../queue/queue-store.js";
import { joinConference } from "./conference-routes.js";
import type { Services } from "../../services.js";
import { gatherWebhookSchema } from "../../telephony/webhook-schemas.js";
import { forCall, utterances } from "./render-step.js";

/**
 * The caller's leg in their own conference, named after their call so a third party can join later —
 * once an agent has taken the call; until then (or again, if that agent dropped) the waiting loop.
 */
export async function callerConference(s: Services, call: CallRow, greet: boolean): Promise<string> {
  const entry = await entryForCall(s.ctx.db, call.sid);
  if (entry?.kind !== "live" || (entry.status !== "connecting" && entry.status !== "connected")) return waitLoop(s, call);
  return joinConference(s, entry, "caller", greet ? utterances(s, call, [{ prompt: "connecting" }]) : []);
}

/** Wherever a waiting caller belongs: their conference once it is theirs, else the waiting loop. */
export async function waitTwiml(s: Services, call: CallRow): Promise<string> {
  if (call.state === "connected") return callerConference(s, call, false);
  return waitLoop(s, call);
}

/** The waiting loop: place and expected wait in the caller's language, the callback offer, then hold. */
async function waitLoop(s: Services, call: CallRow): Promise<string> {
  const next = s.twiml.url("/twilio/queue/wait");
  if (call.state === "ended") return s.twiml.goodbye([]);
  const figures = await waitAnnouncement(s.ctx.db, call.sid, s.config.AVERAGE_HANDLE_SECONDS);
  const plays = [
    ...(figures && call.state === "queued" ? [{ prompt: "queue-position", vars: figures }] : []),
    // A withheld number cannot be called back, so it is not offered.
    ...(call.fromE164 ? [{ prompt: "queue-callback-offer", vars: { key: s.config.QUEUE_CALLBACK_KEY } }] : []),
  ];
  return s.twiml.waitLoop(utterances(s, call, plays), s.twiml.url("/twilio/queue/key"), s.config.QUEUE_ANNOUNCE_SECONDS, next);
}

export function queueRoutes(base: FastifyInstance, s: Services): void {
  const app = base.withTypeProvider<ZodTypeProvider>();
  app.post("/twilio/queue/wait", forCall(s, (call) => waitTwiml(s, call)));

  app.post("/twilio/queue/key", { schema: { body: gatherWebhookSchema } }, async (request, reply) => {
    const body = request.body;
    reply.type("text/xml");
    const call = await findCall(s.ctx.db, body.CallSid);
    if (!call) return s.twiml.goodbye([]);
    if (body.Digits?.startsWith(s.config.QUEUE_CALLBACK_KEY) && (await requestCallback(s.ctx, call.sid)).ok) {
      s.log.child({ callSid: call.sid }).info("caller asked to be called back, keeping their place");
      return s.twiml.goodbye(utterances(s, call, [{ prompt: "callback-confirmed" }]));
    }
    return waitTwiml(s, (await findCall(s.ctx.db, call.sid)) ?? call);
  });

  app.post("/twilio/queue/connect", forCall(s, (call) => callerConference(s, call, true)));

  /**
   * The caller's conference is over. After a conversation the call ends; if the agent left before the
   * caller ever met them, the caller is waiting again (routing has put them back at the head).
   */
  app.post("/twilio/queue/after-conference", forCall(s, (call) => (call.state === "connected" || call.state === "ended" ? s.twiml.goodbye([]) : waitLoop(s, call))));
}

