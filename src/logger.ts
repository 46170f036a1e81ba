import pino, { type Logger } from "pino";
import { scrubLogLine } from "./log-scrub.js";

/**
 * Callers are often victims: their numbers and the keys they press never reach the logs.
 * Log call SIDs instead; they lead to the record for those allowed to see it.
 */
const REDACT = [
  "from", "to", "From", "To", "Caller", "Called", "number", "Digits", "digits", "phone", "note", "notes",
  "*.from", "*.to", "*.From", "*.To", "*.Caller", "*.Called", "*.number", "*.Digits", "*.digits", "*.phone", "*.note", "*.notes",
  "req.headers.authorization", "req.headers[\"x-twilio-signature\"]",
];

/**
 * Redaction removes the fields we know hold personal data; the scrubber then replaces any number-like
 * digit run left anywhere in the finished line (other fields, any depth, error messages and stacks),
 * for the fields nobody thought of. It works on the string pino already built: one pass, no walk
 * (about 3 µs a line, under 1 % of a webhook's CPU: bench/README.md).
 */
export function createLogger(level: string, destination: pino.DestinationStream = standardOutput()): Logger {
  return pino({ level, redact: { paths: REDACT, censor: "[redacted]" }, base: { service: "hotline" }, hooks: { streamWrite: scrubLogLine } }, destination);
}

/**
 * Standard output, written once per turn of the event loop: the lines a turn logs (one per request
 * answered, at the least) go out in one write at its end. A write is a system call, which costs about
 * 5 µs on the machines the bench runs on; one per line was a tenth of an IVR step (bench/README.md, eighth pass). Still synchronous (pino's own
 * destination), so a line is out before the next turn starts, and the process's exit writes what is left:
 * only a kill between a line and the turn's end can lose it. One for the process: every logger shares it.
 */
function standardOutput(): pino.DestinationStream {
  return (stdout ??= turnBatched(pino.destination({ dest: 1, sync: true })));
}

let stdout: pino.DestinationStream | undefined;

/** Lines gathered until the turn ends, then written to `destination` in one piece (see standardOutput). */
export function turnBatched(destination: { write(text: string): unknown }): pino.DestinationStream & { flush(done?: () => void): void } {
  let pending = "";
  // Also pino's `logger.flush(done)`: written at once, then done.
  const flush = (done?: () => void) => {
    if (pending) {
      const text = pending;
      pending = "";
      destination.write(text);
    }
    done?.();
  };
  process.on("exit", () => flush());
  return {
    write(line: string) {
      if (!pending) setImmediate(() => flush());
      pending += line;
    },
    flush,
  };
}

export type { Logger };
