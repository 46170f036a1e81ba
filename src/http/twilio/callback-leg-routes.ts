import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { itemById } from "../../callbacks/callback-store.js";
import { callBackAnswered } from "../../queue/connecting.js";
import type { Services } from "../../services.js";
import { answeredWebhookSchema, isMachine } from "../../telephony/webhook-schemas.js";
import { entryQuerySchema } from "./agent-leg-routes.js";
import { joinConference } from "./conference-routes.js";
import { utterances } from "./render-step.js";

export function callbackLegRoutes(base: FastifyInstance, s: Services): void {
  const app = base.withTypeProvider<ZodTypeProvider>();
  /**
   * Our call-back was picked up. A machine hears nothing and the call ends (no message on a phone that may
   * be watched); a person hears who is calling and joins the agent already waiting in the conference.
   */
  app.post("/twilio/callback/answer", { schema: { querystring: entryQuerySchema, body: answeredWebhookSchema } }, async (request, reply) => {
    const { entry: entryId } = request.query;
    const body = request.body;
    reply.type("text/xml");
    const machine = isMachine(body.AnsweredBy);
    const entry = await callBackAnswered(s.ctx, entryId, body.CallSid, machine);
    const log = s.log.child({ callSid: body.CallSid });
    if (!entry) {
      log.info({ answeredBy: body.AnsweredBy ?? "unknown" }, machine ? "call-back reached a machine: no message left" : "call-back answered after its attempt ended");
      return s.twiml.goodbye([]);
    }
    log.info({ callbackId: entry.callbackId }, "call-back answered; joining the agent");
    const item = entry.callbackId ? await itemById(s.ctx.db, entry.callbackId) : undefined;
    const language = item?.language ?? entry.language;
    return joinConference(s, entry, "caller", utterances(s, { sid: body.CallSid, language }, [{ prompt: "callback-greeting" }]));
  });
}
