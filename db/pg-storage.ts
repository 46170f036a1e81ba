import { randomUUID } from "node:crypto";
import { eq, sql, type SQL } from "drizzle-orm";
import { NodePgSession, NodePgTransaction } from "drizzle-orm/node-postgres";
import pg from "pg";
import { openPgDatabase, type PgDb } from "./pg-connection.js";
import { events } from "./schema-pg.js";
import { runAll } from "./sqlite-storage.js";
import type { Db, EventRow, LogEvent, Storage, StoredEvent } from "./storage.js";

/** A transaction's work to run once it has committed; `done` once it has ended either way. */
interface Frame {
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

/**
 * How many of this instance's writers may wait for the write lock on a connection of their own at once;
 * the others wait in the process (in order). Without a limit, a burst of writes parks every pooled
 * connection on the lock, and every read — /health among them — queues behind the whole backlog: the
 * balancer then takes out every instance at once, since they all wait on the same lock. A few waiting
 * writers keep the lock busy (the next one is already queued in PostgreSQL when one commits); the rest of
 * the pool (10 connections) stays free for reads.
 */
const WRITERS_ON_CONNECTIONS = 3;

/** Serialization failures and deadlocks are retried: the transaction saw nothing durable yet. */
const RETRYABLE = new Set(["40001", "40P01"]);
const ATTEMPTS = 5;

/** `work` again, up to ATTEMPTS times in all, while it fails with a retryable error. */
async function retried<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (attempt < ATTEMPTS && RETRYABLE.has((err as { code?: string }).code ?? "")) continue;
      throw err;
    }
  }
}

/** The channel every instance announces its committed events on. */
const CHANNEL = "hotline_events";
/**
 * NOTIFY refuses payloads of 8,000 bytes or more. Every event is already a row of the events table, so a
 * larger one is announced by its id alone and read back from there by whoever hears it.
 */
const PAYLOAD_LIMIT = 7_900;
/** How long a lost listening connection waits before connecting again. */
const RELISTEN_MS = 500;

/**
 * Statements every writing transaction runs, as plain text on its connection: drizzle built them anew
 * each time, which in this process cost more than the round trips themselves. A simple query (no
 * parameters) may hold two statements: BEGIN and the lock are one round trip.
 */
const BEGIN_LOCKED = `begin; select pg_advisory_xact_lock(${WRITE_LOCK})`;
/** An event's row and, if it was written (a repeated dedupe key writes nothing), its announcement. */
const INSERT_EVENT =
  "with e as (insert into events (at, type, call_sid, user_id, callback_id, data, dedupe_key) values ($1, $2, $3, $4, $5, $6, $7) on conflict do nothing returning id) " +
  "select id, pg_notify($8, $9::text || id::text || $10::text) from e";
/** Events for the log alone, a batch in one statement (see `appendToLog`). */
const APPEND_TO_LOG =
  "insert into events (at, type, call_sid, user_id, callback_id, data) " +
  "select * from unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::integer[], $6::jsonb[])";
/** Room for an event id in an announcement's text. */
const ID_DIGITS = 20;

/** The connection a transaction runs on (drizzle marks it internal). */
const clientOf = (tx: Db) => (tx as unknown as { session: { client: pg.PoolClient } }).session.client;

/** What a transaction's drizzle session is built from (drizzle marks these internal). */
type DrizzleSession = { dialect: never; schema: never; options: never };

type Announcement = { from: string; event: StoredEvent } | { from: string; id: number };

/**
 * The channel of signals: what one instance tells the others at once, outside any transaction, that is no
 * event of the domain (nothing is written): e.g. that a screen-pop of another instance's offer reached
 * the agent's page here (src/realtime/pop-receipts.ts).
 */
const SIGNALS = "hotline_signals";
type SignalMessage = { from: string; signal: Record<string, unknown> };

/** PostgreSQL behind the storage port: a pool of connections, each webhook its own transaction. */
export class PgStorage implements Storage {
  readonly engine = "postgres" as const;
  readonly db: Db;
  /** Tells this instance's own announcements from the others'. */
  readonly instance = randomUUID();
  /** How this instance's own announcements and signals begin (`from` is written first). */
  private readonly ownPrefix = JSON.stringify({ from: this.instance }).slice(0, -1);
  /** Each running transaction's frame, by the handle its body was given (afterCommit is handed it back). */
  private readonly frames = new WeakMap<Db, Frame>();
  private listeners = new Set<{ stop: () => Promise<void> }>();
  /** The signals' listening connection while it is up: signals are sent on it too. */
  private signalClient: pg.Client | undefined;
  /** The latest signal sent on it: the next one waits for it. */
  private signalsSent: Promise<unknown> = Promise.resolve();
  /** Writers holding a connection now, and the ones waiting for a turn (see WRITERS_ON_CONNECTIONS). */
  private writers = 0;
  private readonly waitingWriters: Array<() => void> = [];

  constructor(
    private readonly pg: PgDb,
    private readonly url: string,
    private readonly onError: (message: string, err: unknown) => void = () => {},
  ) {
    this.db = pg as unknown as Db;
  }

  async insertEvent(tx: Db, event: EventRow): Promise<number | undefined> {
    // The announcement (an Announcement's JSON) is written around the id the INSERT gives: its text before
    // and after the id go with the statement. NOTIFY inside the transaction: PostgreSQL delivers it at
    // COMMIT, in commit order, and never after a ROLLBACK.
    let before = `${this.ownPrefix},"event":{"id":`;
    // The row's own fields only (what is handed in may carry more, e.g. the id it is about to get).
    const { at, type, callSid, userId, callbackId, data, dedupeKey } = event;
    let after = `,${JSON.stringify({ at, type, callSid, userId, callbackId, data, dedupeKey }).slice(1)}}`;
    if (Buffer.byteLength(before) + Buffer.byteLength(after) + ID_DIGITS >= PAYLOAD_LIMIT) {
      before = `${this.ownPrefix},"id":`;
      after = "}";
    }
    const values = [at, type, callSid ?? null, userId ?? null, callbackId ?? null, JSON.stringify(data), dedupeKey ?? null, CHANNEL, before, after];
    const result = await clientOf(tx).query<{ id: number }>({ name: "insertEvent", text: INSERT_EVENT, values });
    return result.rows[0]?.id;
  }

  async appendToLog(tx: Db, events: readonly LogEvent[]): Promise<void> {
    if (events.length === 0) return;
    // One round trip for the whole batch, one array per column; no NOTIFY.
    const columns: unknown[][] = [[], [], [], [], [], []];
    for (const e of events) {
      const row = [e.at, e.type, e.callSid ?? null, e.userId ?? null, e.callbackId ?? null, JSON.stringify(e.data)];
      for (let i = 0; i < row.length; i++) columns[i]!.push(row[i]);
    }
    await clientOf(tx).query({ name: "appendToLog", text: APPEND_TO_LOG, values: columns });
  }

  async listen(onEvent: (event: StoredEvent) => void, onGap: () => void): Promise<() => void> {
    // Deliveries in the order heard, also when one has to be read back from the table first.
    let delivered: Promise<void> = Promise.resolve();
    let stopped = false;
    const stop = await this.listenOn(
      CHANNEL,
      { applicationName: "hotline listener", label: "event listener" },
      (payload) => {
        const heard = this.fromOthers<Announcement>(payload, "announcement");
        if (!heard) return;
        delivered = delivered
          .then(async () => {
            const event = "event" in heard ? heard.event : await this.storedEvent(heard.id);
            if (event && !stopped) onEvent(event);
          })
          .catch((err: unknown) => this.onError("an announced event could not be delivered", err));
      },
      onGap,
    );
    return () => {
      stopped = true;
      stop();
    };
  }

  async signal(payload: Record<string, unknown>): Promise<void> {
    const text = JSON.stringify({ from: this.instance, signal: payload } satisfies SignalMessage);
    if (Buffer.byteLength(text) >= PAYLOAD_LIMIT) throw new Error("a signal must be smaller than NOTIFY's payload limit");
    // Outside any transaction: heard at once. On the signals' own listening connection when it is up (it is
    // otherwise idle, so nothing queues before it), else on the pool.
    if (!this.signalClient) {
      await this.db.execute(sql`select pg_notify(${SIGNALS}, ${text})`);
      return;
    }
    // One at a time on that connection: pg queues a query sent while another runs, but warns that pg@9 will not.
    const client = this.signalClient;
    const sent = this.signalsSent.then(() => client.query("select pg_notify($1, $2)", [SIGNALS, text]));
    this.signalsSent = sent.catch(() => undefined);
    await sent;
  }

  async listenSignals(onSignal: (payload: Record<string, unknown>) => void): Promise<() => void> {
    return this.listenOn(
      SIGNALS,
      { applicationName: "hotline signals", label: "signal listener" },
      (payload) => {
        const heard = this.fromOthers<SignalMessage>(payload, "signal");
        if (heard) onSignal(heard.signal);
      },
      // A signal missed is a wait that runs its course: nothing to catch up on.
      () => {},
      (client) => (this.signalClient = client),
    );
  }

  /**
   * Listens on a channel over a connection of its own, connecting again (after RELISTEN_MS) whenever it is
   * lost; `onGap` runs when listening resumes. Resolves once listening (or trying again), with the function
   * that stops. `onClient` is told of the listening connection as it comes and goes.
   */
  private async listenOn(
    channel: string,
    { applicationName, label }: { applicationName: string; label: string },
    hear: (payload: string) => void,
    onGap: () => void,
    onClient: (client: pg.Client | undefined) => void = () => {},
  ): Promise<() => void> {
    let stopped = false;
    let listenedBefore = false;
    let client: pg.Client | undefined;
    const setClient = (c: pg.Client | undefined) => {
      client = c;
      onClient(c);
    };
    const connect = async (): Promise<void> => {
      if (stopped) return;
      const c = new pg.Client({ connectionString: this.url, application_name: applicationName });
      let gone = false;
      // Whatever ends this connection (an error, the server closing it, a failed start), once: listen again.
      const lost = (message: string, err?: unknown) => {
        if (gone) return;
        gone = true;
        if (client === c) setClient(undefined);
        c.end().catch(() => {});
        if (stopped) return;
        this.onError(message, err);
        setTimeout(() => void connect(), RELISTEN_MS).unref();
      };
      c.on("notification", (message) => {
        if (message.channel === channel) hear(message.payload ?? "");
      });
      c.on("error", (err) => lost(`the ${label} lost its connection: listening again`, err));
      c.on("end", () => lost(`the ${label}'s connection ended: listening again`));
      try {
        await c.connect();
        await c.query(`LISTEN ${channel}`);
      } catch (err) {
        lost(`the ${label} could not connect: trying again`, err);
        return;
      }
      if (stopped) {
        await c.end();
        return;
      }
      setClient(c);
      if (listenedBefore) onGap();
      listenedBefore = true;
    };
    await connect();
    const entry = {
      stop: async () => {
        stopped = true;
        const c = client;
        setClient(undefined);
        await c?.end().catch(() => {});
      },
    };
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
      void entry.stop();
    };
  }

  /** A notification's payload, unless it is unreadable (logged) or this instance's own. */
  private fromOthers<T extends { from: string }>(payload: string, what: string): T | undefined {
    // Every event this instance commits comes back to its own listener: told apart before it is parsed.
    if (payload.startsWith(this.ownPrefix)) return undefined;
    try {
      const heard = JSON.parse(payload) as T;
      return heard.from === this.instance ? undefined : heard;
    } catch (err) {
      this.onError(`an unreadable ${what} was ignored`, err);
      return undefined;
    }
  }

  /** An event announced by its id alone, read back from the events table. */
  private async storedEvent(id: number): Promise<StoredEvent | undefined> {
    const [row] = await this.db.select().from(events).where(eq(events.id, id));
    if (!row) return undefined;
    return { id: row.id, at: row.at, type: row.type, callSid: row.callSid, userId: row.userId, callbackId: row.callbackId, data: row.data, dedupeKey: row.dedupeKey ?? undefined };
  }

  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    await this.writerTurn();
    try {
      return await this.topLevel(fn);
    } finally {
      const next = this.waitingWriters.shift();
      if (next) next();
      else this.writers -= 1;
    }
  }

  single<T>(statement: (db: Db) => Promise<T>): Promise<T> {
    // On the pool, outside any transaction: PostgreSQL commits the statement on its own. A deadlock with
    // a locked writer (both waiting on a row) is retried, as a transaction is.
    return retried(() => statement(this.db));
  }

  /** Resolves when this writer may take a connection: at once while fewer than the limit have one. */
  private writerTurn(): Promise<void> {
    if (this.writers < WRITERS_ON_CONNECTIONS) {
      this.writers += 1;
      return Promise.resolve();
    }
    // The turn is handed over by the writer that finishes, with its count: `writers` stays as it is.
    return new Promise((resolve) => this.waitingWriters.push(resolve));
  }

  private topLevel<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    return retried(async () => {
      let frame: Frame | undefined;
      const result = await this.lockedTransaction(async (tx) => {
        const f: Frame = { after: [], done: false };
        frame = f;
        this.frames.set(tx, f);
        try {
          return await fn(tx);
        } finally {
          f.done = true;
        }
      });
      if (frame) runAll(frame.after, this.onError);
      return result;
    });
  }

  /**
   * drizzle's transaction, with BEGIN and the write lock sent as one simple query: one round trip less for
   * every writer (drizzle sends BEGIN on its own).
   */
  private async lockedTransaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    const root = (this.pg as unknown as { session: DrizzleSession }).session;
    const client = await this.pg.$client.connect();
    // A connection that could not roll back is dropped from the pool, not handed to the next writer.
    let broken: Error | undefined;
    try {
      const session = new NodePgSession(client, root.dialect, root.schema, root.options);
      const tx = new NodePgTransaction(root.dialect, session, root.schema) as unknown as Db;
      try {
        await client.query(BEGIN_LOCKED);
        const result = await fn(tx);
        await client.query("commit");
        return result;
      } catch (err) {
        await client.query("rollback").catch((e: Error) => (broken = e));
        throw err;
      }
    } finally {
      client.release(broken);
    }
  }

  afterCommit(tx: Db, then: () => void): void {
    const frame = this.frames.get(tx);
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
    for (const listener of this.listeners) await listener.stop();
    this.listeners.clear();
    await this.pg.$client.end();
  }
}

/** Connects to DATABASE_URL and applies the migrations (one instance at a time). */
export async function openPgStorage(url: string, opts: { onError: (message: string, err?: unknown) => void }): Promise<PgStorage> {
  const db = await openPgDatabase(url, { onIdleError: (err) => opts.onError("an idle database connection was lost (the pool replaces it)", err) });
  return new PgStorage(db, url, opts.onError);
}
