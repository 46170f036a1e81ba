import { is, sql, type SQL, type SQLWrapper } from "drizzle-orm";
import type { NodePgDatabase } from "drizzle-orm/node-postgres";
import { PgDatabase } from "drizzle-orm/pg-core";
import type * as schema from "./schema-pg.js";

/**
 * The storage port. The domain writes each query once, with drizzle's query builder, against `Db` and
 * the tables `tables(db)` hands out; the engine chosen at start supplies both (db/sqlite-storage.ts,
 * db/pg-storage.ts). The builder's surface is typed as PostgreSQL's, the stricter of the two: every
 * query is awaited (there is no synchronous `.get()`/`.all()`/`.run()`), and what it returns is the
 * same on both engines, because both schemas are kept identical (test/unit/schema-parity.test.ts).
 * At run time on SQLite the builder is better-sqlite3's, whose queries are awaitable too.
 */
export type Db = NodePgDatabase<typeof schema>;

/** The tables, as the domain names them; at run time the engine's own table objects. */
export type Tables = typeof schema;

export type Engine = "sqlite" | "postgres";

/** An event as the events table holds it (src/events/event-log.ts gives it meaning). */
export interface StoredEvent {
  id: number;
  at: number;
  type: string;
  callSid?: string | null;
  userId?: string | null;
  callbackId?: number | null;
  data: Record<string, unknown>;
  dedupeKey?: string;
}

/** An event to write: all but the id the database gives it. */
export type EventRow = Omit<StoredEvent, "id">;
/** An event for the log alone (Storage.appendToLog): nothing repeats it, so it has no dedupe key. */
export type LogEvent = Omit<EventRow, "dedupeKey">;

export interface TransactionOptions {
  /**
   * Join the group commit where the engine has one (SQLite): the webhooks of one turn of the event loop
   * share one commit, each in a savepoint of its own. Elsewhere each transaction commits on its own.
   */
  group?: boolean;
}

export interface Storage {
  readonly engine: Engine;
  /** For reads outside a transaction. Every write goes through `transaction`. */
  readonly db: Db;
  /**
   * Runs `fn` in a transaction that serializes every writer of the hotline, in this process and (on
   * PostgreSQL) in every instance on the database, so a decision read in it still holds when it commits
   * (the last line, one offer per agent, a timer that fires once). `fn` must do nothing but database work:
   * no carrier or network call inside. Transactions do not nest: work inside one writes through the `tx`
   * it was given (a transaction opened inside another would wait for it forever). Nothing finds the
   * transaction from the context it runs in: on Node 20 an AsyncLocalStorage taxes every promise the
   * process makes, about a tenth of a webhook's CPU (bench/README.md, "Sixth pass").
   */
  transaction<T>(fn: (tx: Db) => Promise<T>, opts?: TransactionOptions): Promise<T>;
  /**
   * Runs `statement`, which makes exactly one SQL statement, as a transaction of its own that takes no
   * writers' lock: for a conditional write whose WHERE is its whole decision (nothing read before it must
   * still hold when it commits), such as an IVR step between menus, or rows for the log alone. Durable
   * before it resolves, as `transaction` (`group` joins SQLite's group commit, where it runs as any member).
   * On PostgreSQL it is one autocommit statement: one round trip instead of BEGIN, the statement and
   * COMMIT, and no wait for the lock. It writes no events: an event would be a second statement.
   */
  single<T>(statement: (db: Db) => Promise<T>, opts?: TransactionOptions): Promise<T>;
  /**
   * Writes an event in `tx`: its id, or undefined when its dedupe key was written before (nothing is then
   * written). The hotline's other instances hear of it when (and only if) `tx` commits (`listen`); on
   * PostgreSQL the INSERT and its NOTIFY are one statement, one round trip. Every event of every webhook
   * comes here: on SQLite the answer is given at once, with nothing to await.
   */
  insertEvent(tx: Db, event: EventRow): Promise<number | undefined> | number | undefined;
  /**
   * Writes events for the log alone in `tx` (or in `single`'s handle), as one write: without dedupe keys,
   * never announced to the other instances and never on the bus, since nothing reads them but a call's
   * detail (the webhook trail: one per webhook, written in batches).
   */
  appendToLog(tx: Db, events: readonly LogEvent[]): Promise<void> | void;
  /**
   * Hears, in commit order, the events the other instances announce; resolves once listening, with the
   * function that stops. `onGap` runs when listening resumes after a lost connection: events announced
   * meanwhile were not heard.
   */
  listen(onEvent: (event: StoredEvent) => void, onGap: () => void): Promise<() => void>;
  /**
   * Tells the other instances something at once, outside any transaction, that is no event of the domain
   * (nothing is written; e.g. that a screen-pop reached a page here). A small JSON object; heard only by
   * the instances listening at that moment, so nothing may depend on it but a wait that has a bound of its
   * own. Nothing to do where one process is the whole hotline.
   */
  signal(payload: Record<string, unknown>): Promise<void>;
  /** Hears the other instances' signals; resolves once listening, with the function that stops. */
  listenSignals(onSignal: (payload: Record<string, unknown>) => void): Promise<() => void>;
  /** Runs `then` once `tx` (or the group it is part of) has committed; dropped if it rolls back; at once if it has ended. */
  afterCommit(tx: Db, then: () => void): void;
  /** Resolves once what was written so far is committed; undefined when nothing waits for a commit. */
  durable(): Promise<void> | undefined;
  /** Raw SQL's rows (none for a statement that returns none), for the few queries the builder cannot express. */
  rows<R>(db: Db, query: SQL): Promise<R[]>;
  close(): Promise<void>;
}

/** The engine's table objects behind a database or transaction handle (drizzle keeps its schema on both). */
export function tables(db: Db): Tables {
  return (db as unknown as { _: { fullSchema: Tables } })._.fullSchema;
}

/** Rows a write changed: SQLite reports `changes`, PostgreSQL `rowCount`. */
export function affected(result: unknown): number {
  const r = result as { changes?: number; rowCount?: number | null };
  return r.changes ?? r.rowCount ?? 0;
}

/** The first row of a result, or undefined: the one way to read a single row. */
export function first<R>(rows: readonly R[]): R | undefined {
  return rows[0];
}

/** `count(*)` as a number on both engines (PostgreSQL's is a 64-bit integer, which pg hands out as text). */
export const countAll = () => sql<number>`count(*)`.mapWith(Number);

/**
 * Which engine a handle (database or transaction) speaks to. Known by the handle's class, kept per class:
 * drizzle's `is` walks the class chain, and a webhook asks several times (each prepared query, each step).
 */
export function engineOf(db: Db): Engine {
  const kind = (db as object).constructor;
  let engine = engines.get(kind);
  if (engine === undefined) engines.set(kind, (engine = is(db, PgDatabase) ? "postgres" : "sqlite"));
  return engine;
}

const engines = new WeakMap<object, Engine>();

/**
 * The rare expression the two engines spell differently (JSON, dates): both spellings side by side, so
 * the query is still written once. Everything else is plain SQL both understand.
 */
export function dialect(db: Db, spellings: Record<Engine, SQL>): SQL {
  return spellings[engineOf(db)];
}

/** A top-level field of a JSON column, as text (`json_extract` in SQLite, `->>` in PostgreSQL). */
export function jsonText(db: Db, column: SQLWrapper, key: string): SQL<string | null> {
  return dialect(db, {
    sqlite: sql`json_extract(${column}, ${"$." + key})`,
    postgres: sql`(${column} ->> ${key})`,
  }) as SQL<string | null>;
}
