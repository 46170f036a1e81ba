import type { Logger } from "./logger.js";
import { loggableError } from "./log-scrub.js";

/**
 * Starts work nobody waits for (a timer's, an event listener's) and logs its failure: a promise left
 * floating would lose the error, and an unhandled rejection would end the process.
 */
export function detached(log: Logger, what: string, work: () => Promise<unknown>): void {
  work().catch((err: unknown) => log.error({ err: loggableError(err), work: what }, "background work failed"));
}
