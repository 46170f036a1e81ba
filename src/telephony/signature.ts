import { timingSafeEqual } from "node:crypto";
import twilio from "twilio";

/**
 * Twilio signs each webhook over the URL it called plus the sorted POST parameters. The URL must be
 * rebuilt from PUBLIC_BASE_URL, not the Host header: behind a proxy the Host is not what Twilio saw.
 */
export function isValidTwilioSignature(
  authToken: string,
  signature: string | undefined,
  url: string,
  params: Record<string, unknown>,
): boolean {
  if (!signature) return false;
  // The URL exactly as Twilio called it is what it signs; twilio.validateRequest first tries it with the
  // port removed and re-parses the URL, which doubled the cost of every webhook. It stays the fallback
  // for the variants it knows (port added or removed, escaped forms).
  const expected = Buffer.from(twilioSignature(authToken, url, params));
  const given = Buffer.from(signature);
  if (given.length === expected.length && timingSafeEqual(given, expected)) return true;
  return twilio.validateRequest(authToken, signature, url, params as Record<string, string>);
}

export function twilioSignature(authToken: string, url: string, params: Record<string, unknown>): string {
  return twilio.getExpectedTwilioSignature(authToken, url, params as Record<string, string>);
}
