/**
 * Callers' numbers must never reach the logs, wherever they hide: a field no redaction path names, an
 * error message or stack quoting what the carrier was sent ("The 'To' number +66812345678 is not a
 * valid phone number"), a child logger's bindings. Pino's redaction only knows field names, so every
 * finished log line also goes through here (src/logger.ts), as does free text elsewhere.
 *
 * Scrubbed: a + (or URL-encoded %2B) followed by 7–15 digits, spaces or hyphens allowed between them,
 * and any stand-alone run of 7–15 digits. Kept: runs inside SIDs (next to letters), dates and Twilio's
 * five-digit error codes.
 */
const PHONE_LIKE = /(?:\+|%2B)\d(?:[ -]?\d){6,14}|(?<![A-Za-z0-9])\d{7,15}(?![A-Za-z0-9])/gi;
/**
 * A log line is JSON: a number right after a key (`"time":1764060000000`, `"ms":12`) is a figure the
 * logger wrote, never a caller's number (those arrive as strings), so it is matched first and kept.
 */
const IN_LOG_LINE = new RegExp(`":-?\\d+(?:\\.\\d+)?(?:e[+-]?\\d+)?|${PHONE_LIKE.source}`, "gi");

export const SCRUBBED_NUMBER = "[number]";

export function scrubPhoneNumbers(text: string): string {
  return text.replace(PHONE_LIKE, SCRUBBED_NUMBER);
}

/** A whole serialised log line: numbers scrubbed in every string at any depth, figures kept. */
export function scrubLogLine(line: string): string {
  return line.replace(IN_LOG_LINE, (match) => (match.startsWith('":') ? match : SCRUBBED_NUMBER));
}

/** An error's message, fit for a log line. */
export function loggableError(err: unknown): string {
  return scrubPhoneNumbers(err instanceof Error ? err.message : String(err));
}
