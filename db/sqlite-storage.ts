import type Database from "better-sqlite3";
import type { SQL } from "drizzle-orm";
import type { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import { startCheckpointer } from "./checkpointer.js";
import { openDatabase, type Db as SqliteDb } from "./connection.js";
import type { Db, EventRow, LogEvent, Storage, TransactionOptions } from "./storage.js";

/** An event's row (db/schema.ts); a repeated dedupe key writes nothing and returns no id. */
const INSERT_EVENT = "insert into events (at, type, call_sid, user_id, callback_id, data, dedupe_key) values (?, ?, ?, ?, ?, ?, ?) on conflict do nothing";

/** Webhooks per group commit at most: enough to share the commit's cost, few enough not to hold answers back. */
const GROUP_LIMIT = 32;

/** The transaction whose body is running. */
interface Frame {
  /** Runs once this frame's writes are committed; dropped if they are rolled back. */
  after: Array<() => void>;
}

/**
 * SQLite behind the storage port: one connection, one writer at a time.
 *
 * Transactions are serialized in the process by a queue: a body awaits only SQLite, whose answers come
 * back at once, so a transaction holds the queue for microseconds. `BEGIN IMMEDIATE` takes SQLite's write
 * lock, which is what makes a decision read in a transaction hold when it commits.
 *
 * Group commit for Twilio's webhooks: under a burst, each webhook committing its own transaction was the
 * largest cost left on the webhook path. The webhooks handled in one turn of the event loop share one
 * transaction, each in a savepoint of its own (one that fails undoes only its own writes; a single
 * statement needs none, SQLite undoes a failed statement by itself), committed once
 * at the end of the turn. Nothing leaves the process before that commit: events wait for it (afterCommit)
 * and every HTTP answer waits for it (durable). A crash in between loses only work nobody was told about.
 * Any other writer commits the group first, and then commits on its own, before its own side effects.
 */
export class SqliteStorage implements Storage {
  readonly engine = "sqlite" as const;
  readonly db: Db;
  private readonly client: Database.Database;
  /**
   * The frame of the writer holding the connection while its body runs: writers take turns, so there is
   * one at most, and afterCommit (called from a body, with its transaction) finds it here.
   */
  private frame: Frame | undefined;
  /** A writer holds the connection; the ones after it wait in `queue`, in order, each let in by the one before. */
  private held = false;
  private readonly queue: Array<() => void> = [];
  private groupOpen = false;
  private groupMembers = 0;
  private afterGroup: Array<() => void> = [];
  /** What `durable` hands out while the group is open: one promise for the whole group, made when first asked. */
  private groupCommitted: { promise: Promise<void>; resolve: () => void; reject: (err: unknown) => void } | undefined;
  /** Prepared on first use: the storage may be opened on a database not migrated yet. */
  private insertEventStatement: Database.Statement | undefined;
  private readonly statements: Record<"begin" | "commit" | "rollback" | "savepoint" | "release" | "rollbackTo", Database.Statement>;

  constructor(
    sqlite: SqliteDb,
    private readonly onError: (message: string, err: unknown) => void = () => {},
    private readonly beforeClose: () => Promise<void> = async () => {},
  ) {
    this.db = sqlite as unknown as Db;
    this.client = sqlite.$client;
    this.statements = {
      begin: this.client.prepare("BEGIN IMMEDIATE"),
      commit: this.client.prepare("COMMIT"),
      rollback: this.client.prepare("ROLLBACK"),
      savepoint: this.client.prepare("SAVEPOINT member"),
      release: this.client.prepare("RELEASE member"),
      rollbackTo: this.client.prepare("ROLLBACK TO member"),
    };
  }

  async transaction<T>(fn: (tx: Db) => Promise<T>, opts: TransactionOptions = {}): Promise<T> {
    const wait = this.turn();
    if (wait) await wait;
    let after: Array<() => void> = [];
    try {
      if (opts.group) {
        this.joinGroup();
        const member = await this.savepoint(fn);
        this.afterGroup.push(...member.after);
        return member.result;
      }
      if (this.groupOpen) this.commitGroup();
      this.statements.begin.run();
      const frame: Frame = { after: [] };
      this.frame = frame;
      try {
        const result = await fn(this.db);
        this.statements.commit.run();
        after = frame.after;
        return result;
      } catch (err) {
        this.statements.rollback.run();
        throw err;
      } finally {
        this.frame = undefined;
      }
    } finally {
      this.release();
      runAll(after, this.onError);
    }
  }

  async single<T>(statement: (db: Db) => Promise<T>, opts: TransactionOptions = {}): Promise<T> {
    if (!opts.group) return this.transaction(statement, opts);
    // One connection, one writer at a time: the statement waits for its turn like any transaction (else it
    // would run inside the transaction of whoever holds the connection). In the group it needs no
    // savepoint: a statement that fails is undone by SQLite alone, and the group goes on.
    const wait = this.turn();
    if (wait) await wait;
    try {
      this.joinGroup();
      return await statement(this.db);
    } finally {
      this.release();
    }
  }

  insertEvent(_tx: Db, event: EventRow): number | undefined {
    // A statement of better-sqlite3's own: this runs for every event, and drizzle's placeholders and row
    // mapping cost more than the INSERT. One process is the whole hotline: there is nobody else to tell.
    this.insertEventStatement ??= this.client.prepare(INSERT_EVENT);
    // Without RETURNING (which SQLite answers through a buffer of its own): the row's id is the connection's last.
    const { changes, lastInsertRowid } = this.insertEventStatement.run(event.at, event.type, event.callSid ?? null, event.userId ?? null, event.callbackId ?? null, JSON.stringify(event.data), event.dedupeKey ?? null);
    return changes === 0 ? undefined : Number(lastInsertRowid);
  }

  appendToLog(tx: Db, events: readonly LogEvent[]): void {
    // Row by row through the event statement already prepared: on SQLite each is answered at once. More
    // than one row is more than one statement: a savepoint keeps them one write (see `single`).
    if (events.length === 1) {
      this.insertEvent(tx, events[0]!);
      return;
    }
    this.statements.savepoint.run();
    try {
      for (const event of events) this.insertEvent(tx, event);
      this.statements.release.run();
    } catch (err) {
      this.statements.rollbackTo.run();
      this.statements.release.run();
      throw err;
    }
  }

  listen(): Promise<() => void> {
    return Promise.resolve(() => {});
  }

  signal(): Promise<void> {
    // No other instance to tell.
    return Promise.resolve();
  }

  listenSignals(): Promise<() => void> {
    return Promise.resolve(() => {});
  }

  afterCommit(_tx: Db, then: () => void): void {
    const frame = this.frame;
    if (frame) frame.after.push(then);
    else if (this.groupOpen) this.afterGroup.push(then);
    else then();
  }

  durable(): Promise<void> | undefined {
    if (!this.groupOpen) return undefined;
    if (!this.groupCommitted) {
      let resolve!: () => void;
      let reject!: (err: unknown) => void;
      const promise = new Promise<void>((yes, no) => ((resolve = yes), (reject = no)));
      this.groupCommitted = { promise, resolve, reject };
    }
    return this.groupCommitted.promise;
  }

  async rows<R>(db: Db, query: SQL): Promise<R[]> {
    const { sql: text, params } = (db as unknown as { dialect: SQLiteSyncDialect }).dialect.sqlToQuery(query);
    const statement = this.client.prepare(text);
    if (statement.reader) return statement.all(...params) as R[];
    statement.run(...params);
    return [];
  }

  /** Commits the open group, if any, and closes the connection. */
  async close(): Promise<void> {
    await this.turn();
    try {
      this.commitGroup();
    } finally {
      this.release();
    }
    await this.beforeClose();
    this.client.close();
  }

  /**
   * Takes the connection: at once when nobody holds it (undefined: nothing to wait for, and no promise made,
   * which on the webhook path was a good part of the port's cost), else a promise of the turn after the
   * writers already waiting. Every turn taken ends with `release`.
   */
  private turn(): Promise<void> | undefined {
    if (!this.held) {
      this.held = true;
      return undefined;
    }
    return new Promise<void>((resolve) => this.queue.push(resolve));
  }

  /** Hands the connection to the next writer waiting, if any. */
  private release(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.held = false;
  }

  /** Opens the group if none is open, after committing a full one: its answers go out without waiting for the whole turn. */
  private joinGroup(): void {
    if (this.groupOpen && this.groupMembers >= GROUP_LIMIT) this.commitGroup();
    if (!this.groupOpen) {
      this.statements.begin.run();
      this.groupOpen = true;
      this.groupMembers = 0;
      setImmediate(() => void this.commitGroupInTurn());
    }
    this.groupMembers++;
  }

  /** Runs `fn` in a savepoint of the open group; its after-commit work is handed to the caller. */
  private async savepoint<T>(fn: (tx: Db) => Promise<T>): Promise<{ result: T; after: Array<() => void> }> {
    // Prepared once, not compiled per use. Savepoints nest strictly (appendToLog's inside a member), so one
    // name serves them all: RELEASE and ROLLBACK TO act on the innermost savepoint of that name.
    this.statements.savepoint.run();
    const frame: Frame = { after: [] };
    this.frame = frame;
    try {
      const result = await fn(this.db);
      this.statements.release.run();
      return { result, after: frame.after };
    } catch (err) {
      this.statements.rollbackTo.run();
      this.statements.release.run();
      throw err;
    } finally {
      this.frame = undefined;
    }
  }

  private async commitGroupInTurn(): Promise<void> {
    const wait = this.turn();
    if (wait) await wait;
    try {
      this.commitGroup();
    } finally {
      this.release();
    }
  }

  /** Commits the group; only ever called holding the queue. */
  private commitGroup(): void {
    if (!this.groupOpen) return;
    this.groupOpen = false;
    const after = this.afterGroup;
    const committed = this.groupCommitted;
    this.afterGroup = [];
    this.groupCommitted = undefined;
    try {
      this.statements.commit.run();
    } catch (err) {
      this.onError("group commit failed: its webhooks are answered with an error", err);
      try {
        this.statements.rollback.run();
      } catch {
        // Already rolled back by SQLite.
      }
      committed?.reject(err);
      return;
    }
    runAll(after, this.onError);
    committed?.resolve();
  }
}

/** Committed is committed: a listener's failure is logged, and the others (and the answers) still go out. */
export function runAll(work: Array<() => void>, onError: (message: string, err: unknown) => void): void {
  for (const then of work) {
    try {
      then();
    } catch (err) {
      onError("a listener failed after a commit", err);
    }
  }
}

/** Opens (creating and migrating) the SQLite file, with WAL checkpoints on a thread of their own. */
export function openSqliteStorage(file: string, opts: { busyTimeoutMs?: number; checkpointIntervalMs: number; onError: (message: string, err?: unknown) => void }): SqliteStorage {
  const db = openDatabase(file, { busyTimeoutMs: opts.busyTimeoutMs });
  const checkpointer = startCheckpointer(db.$client, { intervalMs: opts.checkpointIntervalMs, onError: (message) => opts.onError(message) });
  return new SqliteStorage(db, opts.onError, () => checkpointer.close());
}
