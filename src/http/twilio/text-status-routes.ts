import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { textStatusReported } from "../../callbacks/missed-call-text.js";
import type { Services } from "../../services.js";
import { parseOr400 } from "../errors.js";

const querySchema = z.object({ callback: z.coerce.number().int().positive() });
/** Twilio's message status callback: MessageSid and MessageStatus are what we keep. */
const bodySchema = z.looseObject({
  AccountSid: z.string().min(1),
  MessageSid: z.string().regex(/^(SM|MM)[0-9a-fA-F]{32}$/, "MessageSid must be SM or MM followed by 32 hex digits"),
  MessageStatus: z.string().regex(/^[a-z_]{1,20}$/, "MessageStatus is a word like delivered"),
});

export function textStatusRoutes(app: FastifyInstance, s: Services): void {
  /** Where the missed caller's text got to: stored on their callback item, forward only. */
  app.post("/twilio/text-status", async (request, reply) => {
    const { callback } = parseOr400(querySchema, request.query);
    const body = parseOr400(bodySchema, request.body);
    textStatusReported(s.ctx, callback, body.MessageSid, body.MessageStatus);
    reply.type("text/xml");
    return s.twiml.empty();
  });
}
