import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { textStatusReported } from "../../callbacks/missed-call-text.js";
import type { Services } from "../../services.js";
import type { ZodTypeProvider } from "fastify-type-provider-zod";

const querySchema = z.object({ callback: z.coerce.number().int().positive() });
/** Twilio's message status callback: MessageSid and MessageStatus are what we keep. */
const bodySchema = z.looseObject({
  AccountSid: z.string().min(1),
  MessageSid: z.string().regex(/^(SM|MM)[0-9a-fA-F]{32}$/, "MessageSid must be SM or MM followed by 32 hex digits"),
  MessageStatus: z.string().regex(/^[a-z_]{1,20}$/, "MessageStatus is a word like delivered"),
});

export function textStatusRoutes(base: FastifyInstance, s: Services): void {
  const app = base.withTypeProvider<ZodTypeProvider>();
  /** Where the missed caller's text got to: stored on their callback item, forward only. */
  app.post("/twilio/text-status", { schema: { querystring: querySchema, body: bodySchema } }, async (request, reply) => {
    const body = request.body;
    await textStatusReported(s.ctx, request.query.callback, body.MessageSid, body.MessageStatus);
    reply.type("text/xml");
    return s.twiml.empty();
  });
}
