/**
 * At most `limit` messages in any `windowMs`, on the injected clock: a desk sends a disposition or two
 * per call, a script sending thousands fills the trail and every later screen-pop of that number.
 */
export class MessageRate {
  private readonly sent: number[] = [];

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Whether one more message is allowed now; an allowed one counts. */
  allow(now: number): boolean {
    while (this.sent.length && this.sent[0]! <= now - this.windowMs) this.sent.shift();
    if (this.sent.length >= this.limit) return false;
    this.sent.push(now);
    return true;
  }
}
