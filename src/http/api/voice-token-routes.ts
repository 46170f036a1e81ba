import type { FastifyInstance } from "fastify";
import twilio from "twilio";
import type { Services } from "../../services.js";
import { requireRole } from "../auth.js";
import { HttpError } from "../errors.js";

const { AccessToken } = twilio.jwt;
const { VoiceGrant } = AccessToken;

/** A shift is long; the browser phone asks again before this runs out (Twilio allows up to 24 h). */
const TOKEN_TTL_SECONDS = 3600;

/** The Twilio Client identity an endpoint rings, or undefined for SIP addresses and phone numbers. */
export function clientIdentity(endpoint: string | null): string | undefined {
  return endpoint?.startsWith("client:") ? endpoint.slice("client:".length) : undefined;
}

/**
 * GET /api/voice-token: what the agent desktop needs to ring in the browser. With the built-in carrier
 * the "phone" is its test-call page; an agent whose phone is a number or SIP device needs no token.
 */
export function voiceTokenRoutes(app: FastifyInstance, s: Services): void {
  app.get("/api/voice-token", { onRequest: requireRole(s, "agent") }, async (request, reply) => {
    reply.header("cache-control", "no-store");
    // In simulator mode the REST origin is the built-in carrier, which serves the test-call page at its root.
    if (s.config.TELEPHONY === "simulator") return { mode: "simulator", phoneUrl: `${s.config.TWILIO_API_BASE_URL.replace(/\/+$/, "")}/` };
    const identity = clientIdentity(request.user?.endpoint ?? null);
    if (!identity) return { mode: "external", endpoint: request.user?.endpoint ?? null };
    // An API key signs access tokens, so the auth token never leaves the server.
    const keys = s.config;
    if (!keys.TWILIO_API_KEY_SID || !keys.TWILIO_API_KEY_SECRET) {
      throw new HttpError(503, "unavailable", "browser phones need TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET on the server");
    }
    const token = new AccessToken(s.accountSid, keys.TWILIO_API_KEY_SID, keys.TWILIO_API_KEY_SECRET, { identity, ttl: TOKEN_TTL_SECONDS });
    token.addGrant(new VoiceGrant({ incomingAllow: true }));
    return { mode: "twilio", identity, token: token.toJwt(), expiresInSeconds: TOKEN_TTL_SECONDS };
  });
}
