/**
 * How many WebSockets the server holds: a socket waiting for its auth message costs memory and a timer
 * and proves nothing, so their number is capped server-wide; a signed-in user gets a few (tabs, a
 * wallboard), not thousands. The excess is refused with a close code the pages can show.
 */
export const CLOSE_CODES = {
  /** No token, a wrong one, or none within 10 s. */
  unauthorized: 4401,
  /** This user already holds WS_MAX_PER_USER sockets. */
  tooManyForUser: 4409,
  /** WS_MAX_UNAUTHENTICATED sockets are already waiting to sign in. */
  tooManyWaiting: 4429,
} as const;

export class SocketLimits {
  private waiting = 0;
  private readonly perUser = new Map<string, number>();

  constructor(
    private readonly maxWaiting: number,
    private readonly maxPerUser: number,
  ) {}

  /** A slot for a socket that has not signed in yet; undefined when none is free. Release it once. */
  awaitAuth(): (() => void) | undefined {
    if (this.waiting >= this.maxWaiting) return undefined;
    this.waiting += 1;
    return once(() => (this.waiting -= 1));
  }

  /** A slot for one more socket of this user; undefined when the user holds the most allowed. */
  signIn(userId: string): (() => void) | undefined {
    const held = this.perUser.get(userId) ?? 0;
    if (held >= this.maxPerUser) return undefined;
    this.perUser.set(userId, held + 1);
    return once(() => {
      const left = (this.perUser.get(userId) ?? 1) - 1;
      if (left > 0) this.perUser.set(userId, left);
      else this.perUser.delete(userId);
    });
  }
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}
