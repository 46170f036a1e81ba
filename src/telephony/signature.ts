import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from "node:crypto";
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

/**
 * Base64 HMAC-SHA1, keyed by the auth token, of the URL followed by each parameter's name and value in
 * name order (a repeated parameter: its distinct values in order), as twilio.getExpectedTwilioSignature
 * computes it. Written here to build the signed text once and to key the HMAC with a key object made once
 * per token instead of from the token's text on every webhook.
 */
export function twilioSignature(authToken: string, url: string, params: Record<string, unknown>): string {
  let signed = url;
  for (const name of Object.keys(params).sort()) {
    const value = params[name];
    if (Array.isArray(value)) for (const each of [...new Set(value)].sort()) signed += name + String(each);
    else signed += name + String(value);
  }
  return createHmac("sha1", keyOf(authToken)).update(signed, "utf8").digest("base64");
}

/** A hotline has one auth token: its key object is kept. */
let key: { token: string; object: KeyObject } | undefined;
function keyOf(authToken: string): KeyObject {
  if (key?.token !== authToken) key = { token: authToken, object: createSecretKey(Buffer.from(authToken, "utf8")) };
  return key.object;
}
