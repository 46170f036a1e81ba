/**
 * Error texts from the carrier quote what they were sent ("The 'To' number +66812345678 is not a valid
 * phone number"): callers' numbers must not reach the logs through them. Pino's redaction only knows
 * field names, so free text goes through here.
 *
 * Scrubbed: a + (or URL-encoded %2B) followed by 7–15 digits, spaces or hyphens allowed between them,
 * and any stand-alone run of 7–15 digits. Kept: runs inside SIDs (next to letters), dates and Twilio's
 * five-digit error codes.
 */
const PHONE_LIKE = /(?:\+|%2B)\d(?:[ -]?\d){6,14}|(?<![A-Za-z0-9])\d{7,15}(?![A-Za-z0-9])/gi;

export const SCRUBBED_NUMBER = "[number]";

export function scrubPhoneNumbers(text: string): string {
  return text.replace(PHONE_LIKE, SCRUBBED_NUMBER);
}

/** An error's message, fit for a log line. */
export function loggableError(err: unknown): string {
  return scrubPhoneNumbers(err instanceof Error ? err.message : String(err));
}
