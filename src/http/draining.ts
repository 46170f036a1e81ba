/**
 * The process is on its way out (SIGTERM): /health says so, so a load balancer stops sending, and live
 * sockets are told to reconnect, so pages find another instance, while requests in flight still finish.
 */
export class Draining {
  private started = false;
  private readonly listeners = new Set<() => void>();

  get active(): boolean {
    return this.started;
  }

  /** Idempotent: a second signal changes nothing. */
  start(): void {
    if (this.started) return;
    this.started = true;
    for (const listener of this.listeners) listener();
  }

  /**
   * Live pages reconnect and get their full state, without draining: this instance missed other
   * instances' events for a while (its listening connection was lost), so what it pushed may be stale.
   */
  refreshPages(): void {
    for (const listener of this.listeners) listener();
  }

  /** Runs `listener` when draining starts (at once if it has) or pages are refreshed; returns how to stop listening. */
  onStart(listener: () => void): () => void {
    if (this.started) listener();
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
