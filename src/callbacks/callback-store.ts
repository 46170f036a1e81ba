import { and, asc, desc, eq, inArray, isNotNull, lt, sql, type Placeholder } from "drizzle-orm";
import { callbackAttempts, callbacks } from "../../db/schema.js";
import type { Db } from "../../db/connection.js";
import { prepared } from "../../db/prepared.js";
import type { Tx } from "../events/event-log.js";

export type CallbackRow = typeof callbacks.$inferSelect;
export type AttemptRow = typeof callbackAttempts.$inferSelect;
type Reader = Pick<Tx, "select"> | Db;

export const OPEN_STATUSES = ["open", "claimed"] as const;

export function itemById(db: Reader, id: number): CallbackRow | undefined {
  return db.select().from(callbacks).where(eq(callbacks.id, id)).get();
}

export function openItemForNumber(db: Reader, number: string): CallbackRow | undefined {
  return prepared(db, "openItemForNumber", () =>
    db.select().from(callbacks).where(and(eq(callbacks.number, sql.placeholder("number")), inArray(callbacks.status, [...OPEN_STATUSES]))).prepare(),
  ).get({ number });
}

export function updateItem(tx: Tx, id: number, patch: Partial<CallbackRow>): void {
  tx.update(callbacks).set(patch).where(eq(callbacks.id, id)).run();
}

export function attemptsOf(db: Reader, callbackId: number): AttemptRow[] {
  return db.select().from(callbackAttempts).where(eq(callbackAttempts.callbackId, callbackId)).orderBy(callbackAttempts.id).all();
}

const expiredClaim = (now: number) => and(eq(callbacks.status, "claimed"), isNotNull(callbacks.claimExpiresAt), lt(callbacks.claimExpiresAt, now));

/** Whether any claim has run out: the backlog's readers ask on every request, and only write when so. */
export const hasExpiredClaims = (db: Reader, now: number) => db.select({ id: callbacks.id }).from(callbacks).where(expiredClaim(now)).limit(1).get() !== undefined;

/** Claims not used in time fall back to open, so no item stays stuck with an agent who went home. */
export function expireClaims(tx: Tx, now: number): number {
  return tx.update(callbacks).set({ status: "open", claimedBy: null, claimExpiresAt: null }).where(expiredClaim(now)).run().changes;
}

/** The supervisor's three backlog figures. */
export function backlogFigures(db: Reader, now: number) {
  const row = db
    .select({
      open: sql<number>`count(*)`,
      overdue: sql<number>`coalesce(sum(case when ${callbacks.dueAt} <= ${now} then 1 else 0 end), 0)`,
      oldest: sql<number | null>`min(${callbacks.firstMissedAt})`,
    })
    .from(callbacks)
    .where(inArray(callbacks.status, [...OPEN_STATUSES]))
    .get();
  return {
    open: row?.open ?? 0,
    overdue: row?.overdue ?? 0,
    oldestAgeSeconds: row?.oldest == null ? 0 : Math.max(0, Math.round((now - row.oldest) / 1000)),
  };
}

/** When the next open item passes its deadline: supervisors are told the moment it becomes overdue. */
export function nextDeadline(db: Reader, now: number): number | undefined {
  const row = db
    .select({ at: sql<number | null>`min(${callbacks.dueAt})` })
    .from(callbacks)
    .where(and(inArray(callbacks.status, [...OPEN_STATUSES]), sql`${callbacks.dueAt} > ${now}`))
    .get();
  return row?.at ?? undefined;
}

/** Most urgent first: emergency, then overdue, then oldest. `now` may be a placeholder of a prepared query. */
export const urgency = (now: number | Placeholder) => [
  desc(sql`${callbacks.priority} = 'emergency'`),
  desc(sql`${callbacks.status} in ('open', 'claimed') and ${callbacks.dueAt} <= ${now}`),
  asc(callbacks.firstMissedAt),
  asc(callbacks.id),
];

export function mostUrgent(db: Reader, now: number, limit: number): CallbackRow[] {
  return db.select().from(callbacks).where(inArray(callbacks.status, [...OPEN_STATUSES])).orderBy(...urgency(now)).limit(limit).all();
}
