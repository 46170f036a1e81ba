import type { Logger } from "./logger.js";
import { loggableError } from "./log-scrub.js";

/** Detached work running now in this process, and who waits for there to be none. */
let running = 0;
let started = 0;
let waiters: Array<() => void> = [];

/**
 * Starts work nobody waits for (a timer's, an event listener's) and logs its failure: a promise left
 * floating would lose the error, and an unhandled rejection would end the process. The work is counted
 * (see `detachedIdle`): on PostgreSQL it spans round trips, not just a turn of the event loop.
 */
export function detached(log: Logger, what: string, work: () => Promise<unknown>): void {
  running += 1;
  started += 1;
  void (async () => {
    try {
      await work();
    } catch (err) {
      log.error({ err: loggableError(err), work: what }, "background work failed");
    } finally {
      running -= 1;
      if (running === 0) for (const w of waiters.splice(0)) w();
    }
  })();
}

/** Resolves once no detached work is running in this process (tests wait for it, with the task runner's). */
export function detachedIdle(): Promise<void> {
  if (running === 0) return Promise.resolve();
  return new Promise((resolve) => waiters.push(resolve));
}

/** Detached work running now, and started so far: a waiter tells from these whether any came and went. */
export function detachedWork(): { running: number; started: number } {
  return { running, started };
}
