import pino, { type Logger } from "pino";

/**
 * Callers are often victims: their numbers and the keys they press never reach the logs.
 * Log call SIDs instead; they lead to the record for those allowed to see it.
 */
const REDACT = [
  "from", "to", "From", "To", "Caller", "Called", "number", "Digits", "digits", "phone", "note", "notes",
  "*.from", "*.to", "*.From", "*.To", "*.Caller", "*.Called", "*.number", "*.Digits", "*.digits", "*.phone", "*.note", "*.notes",
  "req.headers.authorization", "req.headers[\"x-twilio-signature\"]",
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACT, censor: "[redacted]" }, base: { service: "hotline" } }, destination);
}

export type { Logger };
