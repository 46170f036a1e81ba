import type { Clock } from "../clock.js";
import type { Logger } from "../logger.js";
import { loggableError } from "../log-scrub.js";

export interface RetryPolicy {
  attempts: number;
  /** First delay; doubles each time. */
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * The carrier refused the request itself (an HTTP 4xx: "call is not in progress", "no such call"):
 * asking again changes nothing, so the task gives up at once. A timeout (408) or a rate limit (429) is
 * worth another try, as are network errors and 5xx.
 */
function refusedForGood(err: unknown): boolean {
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === "number" && status >= 400 && status < 500 && status !== 408 && status !== 429;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseDelayMs: 500, maxDelayMs: 30_000 };

/**
 * Side effects after a commit (REST calls to the carrier): run off the webhook's path, retried with
 * backoff on the injected clock, and counted so tests can wait until nothing is in flight.
 */
export class TaskRunner {
  /** Attempts executing now (awaiting the carrier). */
  private running = 0;
  /** Tasks parked until their backoff timer fires: they wait on the clock, like a call on hold. */
  private parked = 0;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly policy: RetryPolicy = DEFAULT_RETRY,
  ) {}

  /** Runs task now and on failure again later; onGiveUp runs when every attempt failed. */
  run(name: string, task: () => Promise<void>, onGiveUp?: (err: unknown) => void | Promise<void>): void {
    const attempt = (n: number) => {
      this.running += 1;
      task().then(
        () => this.settled(),
        (err: unknown) => {
          if (n + 1 >= this.policy.attempts || refusedForGood(err)) {
            this.log.error({ err: loggableError(err), task: name }, "carrier request failed for good");
            // The give-up's own work (a transaction, usually) counts as this task's: idle() waits for it.
            Promise.resolve()
              .then(() => onGiveUp?.(err))
              .catch((giveUpErr: unknown) => this.log.error({ err: loggableError(giveUpErr), task: name }, "giving up on a carrier request failed"))
              .finally(() => this.settled());
            return;
          }
          const delay = Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** n);
          this.log.warn({ err: loggableError(err), task: name, retryInMs: delay }, "carrier request failed, retrying");
          this.parked += 1;
          this.clock.setTimer(delay, () => {
            this.parked -= 1;
            attempt(n + 1);
          });
          this.settled();
        },
      );
    };
    attempt(0);
  }

  /** Tasks not finished yet: running or waiting to retry. */
  pending(): number {
    return this.running + this.parked;
  }

  /** Resolves when no attempt is executing (tasks parked for a retry wait on the clock, not on us). */
  idle(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private settled(): void {
    this.running -= 1;
    if (this.running === 0) for (const w of this.waiters.splice(0)) w();
  }
}
