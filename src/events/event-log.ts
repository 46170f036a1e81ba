import { EventEmitter } from "node:events";
import { sql } from "drizzle-orm";
import type { Db } from "../../db/connection.js";
import { events } from "../../db/schema.js";
import type { Clock } from "../clock.js";
import type { CallbackPolicy } from "../callbacks/callback-rules.js";
import type { CommitGroup } from "./commit-group.js";

export interface NewEvent {
  type: string;
  callSid?: string | null;
  userId?: string | null;
  callbackId?: number | null;
  data?: Record<string, unknown>;
  /** A key that may be written once only: a repeated Twilio callback finds it taken and changes nothing. */
  dedupeKey?: string;
}

export interface DomainEvent extends NewEvent {
  id: number;
  at: number;
  data: Record<string, unknown>;
}

/** In-process fan-out of committed events (realtime pushes, routing). Listeners run after the commit. */
export class EventBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  publish(event: DomainEvent): void {
    this.emitter.emit("event", event);
  }

  subscribe(listener: (event: DomainEvent) => void): () => void {
    this.emitter.on("event", listener);
    return () => this.emitter.off("event", listener);
  }
}

export interface Ctx {
  db: Db;
  clock: Clock;
  bus: EventBus;
  /** The callback backlog's configured deadlines and retries, needed wherever a call can be missed. */
  callbackPolicy: CallbackPolicy;
  /** Hours an agency has to act on a referral before the escalation center chases it. */
  referralDueHours: number;
  /** The group commit Twilio's webhooks share (see CommitGroup); every other writer commits it first. */
  group?: CommitGroup;
  /** Set on the context webhooks write through: their transactions join the group. */
  joinsGroup?: boolean;
}

export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
/** Writes an event in the current transaction; false when its dedupe key was already written. */
export type RecordEvent = (event: NewEvent) => boolean;

/**
 * Every transaction writes events: the insert is built once per database and reused (the same
 * connection runs it inside whichever transaction is open).
 */
const insertEvents = new WeakMap<Db, ReturnType<typeof buildInsertEvent>>();
function buildInsertEvent(db: Db) {
  const p = (name: string) => sql.placeholder(name);
  return db
    .insert(events)
    .values({ at: p("at"), type: p("type"), callSid: p("callSid"), userId: p("userId"), callbackId: p("callbackId"), data: p("data"), dedupeKey: p("dedupeKey") })
    .onConflictDoNothing()
    .prepare();
}
function insertEvent(db: Db) {
  let prepared = insertEvents.get(db);
  if (!prepared) insertEvents.set(db, (prepared = buildInsertEvent(db)));
  return prepared;
}

/**
 * Every state change runs here: one immediate transaction that also writes the events explaining it.
 * Events reach the bus only once the transaction has committed. On a webhook's context the transaction
 * is a savepoint of the turn's group commit, and its events wait for that commit.
 */
export function inTransaction<T>(ctx: Ctx, fn: (tx: Tx, record: RecordEvent) => T): T {
  const committed: DomainEvent[] = [];
  const body = (tx: Tx) => {
    committed.length = 0;
    const record: RecordEvent = (event) => {
      const at = ctx.clock.now();
      const data = event.data ?? {};
      const row = insertEvent(ctx.db).run({
        at,
        type: event.type,
        callSid: event.callSid ?? null,
        userId: event.userId ?? null,
        callbackId: event.callbackId ?? null,
        data,
        dedupeKey: event.dedupeKey ?? null,
      });
      if (row.changes === 0) return false;
      committed.push({ ...event, id: Number(row.lastInsertRowid), at, data });
      return true;
    };
    return fn(tx, record);
  };
  const group = ctx.group;
  if (group && (ctx.joinsGroup || group.running)) {
    // Already inside the group's transaction, so better-sqlite3 makes this a savepoint.
    const result = group.run(() => ctx.db.transaction(body));
    if (committed.length) group.onCommit(() => committed.forEach((event) => ctx.bus.publish(event)));
    return result;
  }
  if (group?.pending) group.commit();
  const result = ctx.db.transaction(body, { behavior: "immediate" });
  for (const event of committed) ctx.bus.publish(event);
  return result;
}
