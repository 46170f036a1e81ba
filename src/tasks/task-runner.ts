import type { Clock } from "../clock.js";
import type { Logger } from "../logger.js";

export interface RetryPolicy {
  attempts: number;
  /** First delay; doubles each time. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseDelayMs: 500, maxDelayMs: 30_000 };

/**
 * Side effects after a commit (REST calls to the carrier): run off the webhook's path, retried with
 * backoff on the injected clock, and counted so tests can wait until nothing is in flight.
 */
export class TaskRunner {
  private inFlight = 0;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly policy: RetryPolicy = DEFAULT_RETRY,
  ) {}

  /** Runs task now and on failure again later; onGiveUp runs when every attempt failed. */
  run(name: string, task: () => Promise<void>, onGiveUp?: (err: unknown) => void): void {
    this.inFlight += 1;
    const attempt = (n: number) => {
      task().then(
        () => this.finish(),
        (err: unknown) => {
          if (n + 1 >= this.policy.attempts) {
            this.log.error({ err, task: name }, "carrier request failed for good");
            try {
              onGiveUp?.(err);
            } finally {
              this.finish();
            }
            return;
          }
          const delay = Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** n);
          this.log.warn({ err: (err as Error).message, task: name, retryInMs: delay }, "carrier request failed, retrying");
          this.clock.setTimer(delay, () => attempt(n + 1));
        },
      );
    };
    attempt(0);
  }

  pending(): number {
    return this.inFlight;
  }

  /** Resolves when no task is running or waiting for a retry. */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private finish(): void {
    this.inFlight -= 1;
    if (this.inFlight === 0) for (const w of this.waiters.splice(0)) w();
  }
}
