/**
 * Counts the carrier's work in flight (webhooks it sends, REST requests it serves, call set-up) so
 * tests can wait until everything has settled without sleeping: what remains then waits on a person
 * (a key, an answer), on the clock, or on a conference.
 */
export class WorkTracker {
  private inflight = 0;
  private version = 0;
  private waiters: Array<() => void> = [];

  begin(): () => void {
    this.inflight++;
    this.version++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.inflight--;
      this.version++;
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w();
    };
  }

  track<T>(work: Promise<T>): Promise<T> {
    const end = this.begin();
    return work.finally(end);
  }

  /** Fire-and-forget work that must still hold idle() back; errors are handed to onError. */
  spawn(work: () => Promise<unknown>, onError: (err: unknown) => void): void {
    void this.track(Promise.resolve().then(work)).catch(onError);
  }

  get busy(): boolean {
    return this.inflight > 0;
  }

  /** Resolves once nothing is in flight and nothing new started across a few turns of the event loop. */
  async idle(): Promise<void> {
    for (;;) {
      await turn();
      if (this.inflight > 0) {
        await new Promise<void>((resolve) => this.waiters.push(resolve));
        continue;
      }
      const seen = this.version;
      await turn();
      await turn();
      if (this.inflight === 0 && this.version === seen) return;
    }
  }

  get changes(): number {
    return this.version;
  }
}

function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
