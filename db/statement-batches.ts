interface Waiting<I, R> {
  item: I;
  resolve: (result: R) => void;
  reject: (err: unknown) => void;
}

/**
 * Many requests for one statement, written as one: where every statement is a round trip and a commit
 * (PostgreSQL), a statement per webhook cost the hotline and the database more than the webhook's own
 * work. An item joins the batch that is forming; the batch is written on the next turn of the event loop,
 * so the webhooks read in one turn share it, and while one batch is being written the next one gathers.
 * One batch at a time, in order: an item whose key is already in the forming batch (the same call's
 * webhook, repeated) waits for the next one, so it meets the first one's write, as it would have one after
 * the other. A batch that fails fails each of its items (their callers retry what can be retried).
 */
export class StatementBatches<I, R> {
  private pending: Array<Waiting<I, R>> = [];
  /** A batch is being written, or the next one is due on the coming turn. */
  private scheduled = false;

  constructor(
    /** Writes the batch as one statement: a result for every item, in the items' order. */
    private readonly write: (items: readonly I[]) => Promise<R[]>,
    private readonly keyOf: (item: I) => string,
  ) {}

  add(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.next);
      }
    });
  }

  private readonly next = (): void => {
    const batch: Array<Waiting<I, R>> = [];
    const later: Array<Waiting<I, R>> = [];
    const keys = new Set<string>();
    for (const waiting of this.pending) {
      const key = this.keyOf(waiting.item);
      if (keys.has(key)) later.push(waiting);
      else {
        keys.add(key);
        batch.push(waiting);
      }
    }
    this.pending = later;
    void this.written(batch);
  };

  private async written(batch: Array<Waiting<I, R>>): Promise<void> {
    try {
      const results = await this.write(batch.map((w) => w.item));
      for (let i = 0; i < batch.length; i++) batch[i]!.resolve(results[i]!);
    } catch (err) {
      for (const waiting of batch) waiting.reject(err);
    }
    // What came in meanwhile is written on the next turn, with whatever that turn brings.
    if (this.pending.length > 0) setImmediate(this.next);
    else this.scheduled = false;
  }
}
