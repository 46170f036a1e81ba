import { AsyncLocalStorage } from "node:async_hooks";
import { sql, type SQL } from "drizzle-orm";
import type { PgDb } from "./pg-connection.js";
import { runAll } from "./sqlite-storage.js";
import type { Db, Storage } from "./storage.js";

interface Frame {
  tx: Db;
  after: Array<() => void>;
  done: boolean;
}

/**
 * The one lock every writing transaction of every instance takes first (a transaction-scoped advisory
 * lock, released by COMMIT or ROLLBACK, also when the connection dies). Writers are serialized across
 * the cluster exactly as SQLite serializes them in one process, so every decision the domain makes (the
 * last line, one offer per agent and per call, a timer that fires once) holds across instances without a
 * lock of its own; reads take no lock. A hotline's writes are a few hundred a second at most; the bench
 * measures how many this allows (see bench/README.md).
 */
const WRITE_LOCK = 1300;

/** Serialization failures and deadlocks are retried: the transaction saw nothing durable yet. */
const RETRYABLE = new Set(["40001", "40P01"]);
const ATTEMPTS = 5;

/** PostgreSQL behind the storage port: a pool of connections, each webhook its own transaction. */
export class PgStorage implements Storage {
  readonly engine = "postgres" as const;
  readonly db: Db;
  private readonly frames = new AsyncLocalStorage<Frame>();

  constructor(
    private readonly pg: PgDb,
    private readonly onError: (message: string, err: unknown) => void = () => {},
  ) {
    this.db = pg as unknown as Db;
  }

  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    const outer = this.frames.getStore();
    if (outer && !outer.done) {
      // A savepoint of the outer transaction; its after-commit work waits for the outer commit.
      return outer.tx.transaction(async (tx) => {
        const frame: Frame = { tx, after: [], done: false };
        try {
          const result = await this.frames.run(frame, () => fn(tx));
          outer.after.push(...frame.after);
          return result;
        } finally {
          frame.done = true;
        }
      });
    }
    for (let attempt = 1; ; attempt++) {
      let frame: Frame | undefined;
      try {
        const result = await this.db.transaction(async (tx) => {
          await tx.execute(sql`select pg_advisory_xact_lock(${WRITE_LOCK})`);
          frame = { tx, after: [], done: false };
          const f = frame;
          try {
            return await this.frames.run(f, () => fn(tx));
          } finally {
            f.done = true;
          }
        });
        if (frame) runAll(frame.after, this.onError);
        return result;
      } catch (err) {
        if (attempt < ATTEMPTS && RETRYABLE.has((err as { code?: string }).code ?? "")) continue;
        throw err;
      }
    }
  }

  afterCommit(then: () => void): void {
    const frame = this.frames.getStore();
    if (frame && !frame.done) frame.after.push(then);
    else then();
  }

  durable(): undefined {
    // Each transaction has committed before the work that wrote it returns.
    return undefined;
  }

  async rows<R>(db: Db, query: SQL): Promise<R[]> {
    const result = await db.execute(query);
    return result.rows as R[];
  }

  async close(): Promise<void> {
    await this.pg.$client.end();
  }
}
