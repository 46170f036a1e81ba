import { EventEmitter } from "node:events";
import type { Db, Storage, StoredEvent } from "../../db/storage.js";
import type { Clock } from "../clock.js";
import type { CallbackPolicy } from "../callbacks/callback-rules.js";

export interface NewEvent {
  type: string;
  callSid?: string | null;
  userId?: string | null;
  callbackId?: number | null;
  data?: Record<string, unknown>;
  /** A key that may be written once only: a repeated Twilio callback finds it taken and changes nothing. */
  dedupeKey?: string;
}

export interface DomainEvent extends NewEvent, StoredEvent {
  id: number;
  at: number;
  data: Record<string, unknown>;
}

/**
 * Fan-out of committed events (realtime pushes, routing). Listeners run after the commit.
 *
 * Events come from this process (`publish`) or, when several instances share one database, from the
 * others (`publishRemote`, heard through the storage). `subscribe` hears this process's events only: its
 * listeners act on them (ring an agent, send a text), which exactly one instance must do. `subscribeAll`
 * hears every instance's: pages, timers and caches that every instance keeps.
 */
export class EventBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  publish(event: DomainEvent): void {
    this.emitter.emit("local", event);
    this.emitter.emit("all", event, false);
  }

  publishRemote(event: DomainEvent): void {
    this.emitter.emit("all", event, true);
  }

  subscribe(listener: (event: DomainEvent) => void): () => void {
    this.emitter.on("local", listener);
    return () => this.emitter.off("local", listener);
  }

  /** `remote` is true for an event another instance committed. */
  subscribeAll(listener: (event: DomainEvent, remote: boolean) => void): () => void {
    this.emitter.on("all", listener);
    return () => this.emitter.off("all", listener);
  }
}

export interface Ctx {
  /** The storage port (db/storage.ts): every write goes through `inTransaction` below. */
  storage: Storage;
  /** For reads outside a transaction: `storage.db`. */
  db: Db;
  clock: Clock;
  bus: EventBus;
  /** The callback backlog's configured deadlines and retries, needed wherever a call can be missed. */
  callbackPolicy: CallbackPolicy;
  /** Hours an agency has to act on a referral before the escalation center chases it. */
  referralDueHours: number;
  /** Set on the context Twilio's webhooks write through: their transactions join the group commit. */
  joinsGroup?: boolean;
}

/** A transaction's handle: the same query surface as the database's. */
export type Tx = Db;
/** Writes an event in the current transaction; false when its dedupe key was already written. */
export type RecordEvent = (event: NewEvent) => Promise<boolean>;

/**
 * Every state change runs here: one transaction that also writes the events explaining it. Events reach
 * the bus only once the transaction has committed (on a webhook's context, once the turn's group commit
 * has). The body does database work only; what it asks of the carrier follows from its events.
 */
export function inTransaction<T>(ctx: Ctx, fn: (tx: Tx, record: RecordEvent) => Promise<T>): Promise<T> {
  return ctx.storage.transaction((tx) => recorded(ctx, tx, fn), ctx.joinsGroup ? IN_GROUP : ALONE);
}

/**
 * One conditional statement that is its own transaction and takes no writers' lock (Storage.single): no
 * events, since an event would be a second statement. For a write whose WHERE is its whole decision.
 */
export function inOneStatement<T>(ctx: Ctx, statement: (db: Tx) => Promise<T>): Promise<T> {
  return ctx.storage.single(statement, ctx.joinsGroup ? IN_GROUP : ALONE);
}

const IN_GROUP = { group: true };
const ALONE = { group: false };

// Module functions rather than closures made per transaction: this runs for every webhook.
async function recorded<T>(ctx: Ctx, tx: Tx, fn: (tx: Tx, record: RecordEvent) => Promise<T>): Promise<T> {
  const committed: DomainEvent[] = [];
  const result = await fn(tx, (event) => recordEvent(ctx, tx, committed, event));
  if (committed.length) ctx.storage.afterCommit(tx, () => publishAll(ctx.bus, committed));
  return result;
}

function publishAll(bus: EventBus, events: DomainEvent[]): void {
  for (const event of events) bus.publish(event);
}

async function recordEvent(ctx: Ctx, tx: Tx, committed: DomainEvent[], event: NewEvent): Promise<boolean> {
  // Every event in one shape, field by field: spreading events of a dozen shapes cost more than the INSERT.
  const row: DomainEvent = {
    id: 0,
    at: ctx.clock.now(),
    type: event.type,
    callSid: event.callSid,
    userId: event.userId,
    callbackId: event.callbackId,
    data: event.data ?? {},
    dedupeKey: event.dedupeKey,
  };
  const written = ctx.storage.insertEvent(tx, row);
  // SQLite answers at once: nothing to await (this runs for every event of every webhook).
  const id = typeof written === "number" || written === undefined ? written : await written;
  if (id === undefined) return false;
  row.id = id;
  committed.push(row);
  return true;
}
