import type { FastifyReply, FastifyRequest } from "fastify";
import { isValidTwilioSignature } from "../../telephony/signature.js";
import type { Services } from "../../services.js";

/** Every /twilio/ request must be signed by Twilio (or the simulator) over PUBLIC_BASE_URL + path + query. */
export function verifySignature(s: Services) {
  // A callback hook, not an async one: it runs on every webhook and waits for nothing.
  return (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const url = `${s.config.PUBLIC_BASE_URL}${request.url}`;
    const params = (request.body ?? {}) as Record<string, unknown>;
    const signature = request.headers["x-twilio-signature"];
    if (isValidTwilioSignature(s.authToken, typeof signature === "string" ? signature : undefined, url, params)) return done();
    request.log.warn({ path: request.url.split("?")[0] }, "rejected webhook with a missing or wrong signature");
    // Answered here: the request goes no further (done is not called).
    reply.status(403).send({ error: "forbidden", message: "missing or invalid X-Twilio-Signature" });
  };
}
