import type { FastifyReply, FastifyRequest } from "fastify";
import { isValidTwilioSignature } from "../../telephony/signature.js";
import type { Services } from "../../services.js";

/** Every /twilio/ request must be signed by Twilio (or the simulator) over PUBLIC_BASE_URL + path + query. */
export function verifySignature(s: Services) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const url = `${s.config.PUBLIC_BASE_URL}${request.url}`;
    const params = (request.body ?? {}) as Record<string, unknown>;
    const signature = request.headers["x-twilio-signature"];
    if (!isValidTwilioSignature(s.authToken, typeof signature === "string" ? signature : undefined, url, params)) {
      request.log.warn({ path: request.url.split("?")[0] }, "rejected webhook with a missing or wrong signature");
      return reply.status(403).send({ error: "forbidden", message: "missing or invalid X-Twilio-Signature" });
    }
  };
}
