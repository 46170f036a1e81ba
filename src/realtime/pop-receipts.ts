/**
 * Screen-pops shown on other instances. The screen-pop reaches the agent before their phone rings, and only
 * the instance that committed an offer rings; when the agent's page is connected to another instance, that
 * instance pushes the pop once it hears the offer (LISTEN/NOTIFY), then says so with a signal (the storage
 * port's `signal`, outside any transaction). The offering instance hears it here and rings.
 */

/** The signal a hub sends once it has delivered the screen-pop of another instance's offer to a page. */
export const POP_SHOWN = "pop.shown";

/**
 * How long the offering instance waits for that signal before ringing anyway. An agent may have no page
 * open at all (phone only, a page reconnecting), and then no instance will ever send it: the wait must
 * stay short enough not to be felt by a caller who is already waiting. A pop across instances takes a
 * NOTIFY, the screen-pop's reads and a NOTIFY back: the bench's goal for one way is p99 < 100 ms (section
 * 6), so 250 ms lets a slow one through and costs a phone-only agent a quarter of a second.
 */
export const POP_SHOWN_WAIT_MS = 250;

/** A signal may be heard before the offering instance starts waiting for it: it is kept this long. */
const KEPT_MS = 10_000;

export function popShownSignal(eventId: number): Record<string, unknown> {
  return { type: POP_SHOWN, eventId };
}

/** The `pop.shown` signals heard, by the offer's event id; waits measured in real time (network, not the domain's clock). */
export class PopReceipts {
  /** Event id → when heard (monotonic ms), oldest first. */
  private readonly heard = new Map<number, number>();
  private readonly waiting = new Map<number, Set<() => void>>();

  /** A signal from another instance: the ones that are not `pop.shown` are someone else's. */
  hear(signal: Record<string, unknown>): void {
    if (signal.type !== POP_SHOWN || typeof signal.eventId !== "number") return;
    const now = performance.now();
    for (const [id, at] of this.heard) {
      if (now - at < KEPT_MS) break;
      this.heard.delete(id);
    }
    this.heard.set(signal.eventId, now);
    const waiters = this.waiting.get(signal.eventId);
    this.waiting.delete(signal.eventId);
    for (const done of waiters ?? []) done();
  }

  /** Resolves true once the pop of this offer was shown on another instance, false after `ms` without it. */
  wait(eventId: number, ms: number): Promise<boolean> {
    if (this.heard.has(eventId)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiters = this.waiting.get(eventId) ?? new Set<() => void>();
      this.waiting.set(eventId, waiters);
      const timer = setTimeout(() => {
        waiters.delete(done);
        if (!waiters.size && this.waiting.get(eventId) === waiters) this.waiting.delete(eventId);
        resolve(false);
      }, ms);
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      waiters.add(done);
    });
  }
}
