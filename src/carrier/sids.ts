import { randomBytes } from "node:crypto";

/** Twilio SIDs are a two-letter prefix and 32 lowercase hex digits (CA… calls, CF… conferences). */
export function newSid(prefix: "CA" | "CF" | "PN" | "SM" | "RE"): string {
  return prefix + randomBytes(16).toString("hex");
}

/** Twilio writes dates in RFC 2822 with a numeric zone, e.g. "Tue, 25 Nov 2026 03:00:00 +0000". */
export function rfc2822(ms: number): string {
  return new Date(ms).toUTCString().replace(/GMT$/, "+0000");
}
