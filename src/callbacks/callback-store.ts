import { and, eq, gt, isNotNull, lt, min, sql } from "drizzle-orm";
import { executed, prepared } from "../../db/prepared.js";
import { affected, countAll, first, tables, type Db, type Tables } from "../../db/storage.js";
import type { Tx } from "../events/event-log.js";

export type CallbackRow = Tables["callbacks"]["$inferSelect"];
export type AttemptRow = Tables["callbackAttempts"]["$inferSelect"];

export const OPEN_STATUSES = ["open", "claimed"] as const;

export async function itemById(db: Db, id: number): Promise<CallbackRow | undefined> {
  const { callbacks } = tables(db);
  return first(await db.select().from(callbacks).where(eq(callbacks.id, id)));
}

export async function openItemForNumber(db: Db, number: string): Promise<CallbackRow | undefined> {
  const { callbacks } = tables(db);
  const query = prepared(db, "openItemForNumber", () =>
    db
      .select()
      .from(callbacks)
      // Spelled as the partial index callbacks_open_number_idx is, so both engines find the item by it (a
      // list of bound statuses would leave them scanning every open item for the number).
      .where(and(eq(callbacks.number, sql.placeholder("number")), sql`${callbacks.status} in ('open', 'claimed')`))
      .limit(1)
      .prepare("openItemForNumber"),
  );
  return first(await executed(query, { number }));
}

export async function updateItem(tx: Tx, id: number, patch: Partial<CallbackRow>): Promise<void> {
  const { callbacks } = tables(tx);
  await tx.update(callbacks).set(patch).where(eq(callbacks.id, id));
}

export async function attemptsOf(db: Db, callbackId: number): Promise<AttemptRow[]> {
  const { callbackAttempts } = tables(db);
  return db.select().from(callbackAttempts).where(eq(callbackAttempts.callbackId, callbackId)).orderBy(callbackAttempts.id);
}

const expiredClaim = (callbacks: Tables["callbacks"], now: number) =>
  and(eq(callbacks.status, "claimed"), isNotNull(callbacks.claimExpiresAt), lt(callbacks.claimExpiresAt, now));

/** Whether any claim has run out: the backlog's readers ask on every request, and only write when so. */
export async function hasExpiredClaims(db: Db, now: number): Promise<boolean> {
  const { callbacks } = tables(db);
  return first(await db.select({ id: callbacks.id }).from(callbacks).where(expiredClaim(callbacks, now)).limit(1)) !== undefined;
}

/** Claims not used in time fall back to open, so no item stays stuck with an agent who went home. */
export async function expireClaims(tx: Tx, now: number): Promise<number> {
  const { callbacks } = tables(tx);
  return affected(await tx.update(callbacks).set({ status: "open", claimedBy: null, claimExpiresAt: null }).where(expiredClaim(callbacks, now)));
}

/** The supervisor's three backlog figures (asked with every figure pushed: built once per connection). */
export async function backlogFigures(db: Db, now: number) {
  const { callbacks } = tables(db);
  const query = prepared(db, "backlogFigures", () =>
    db
      .select({
        open: countAll(),
        overdue: sql<number>`coalesce(sum(case when ${callbacks.dueAt} <= ${sql.placeholder("now")} then 1 else 0 end), 0)`.mapWith(Number),
        oldest: min(callbacks.firstMissedAt),
      })
      .from(callbacks)
      .where(eq(callbacks.toCall, true))
      .prepare("backlogFigures"),
  );
  const row = first(await executed(query, { now }));
  return {
    open: row?.open ?? 0,
    overdue: row?.overdue ?? 0,
    oldestAgeSeconds: row?.oldest == null ? 0 : Math.max(0, Math.round((now - row.oldest) / 1000)),
  };
}

/** When the next open item passes its deadline: supervisors are told the moment it becomes overdue. */
export async function nextDeadline(db: Db, now: number): Promise<number | undefined> {
  const { callbacks } = tables(db);
  // Asked per overdue mark (src/callbacks/backlog-order.ts), so each is one seek in callbacks_deadline_idx.
  const next = async (marked: boolean) =>
    first(
      await db
        .select({ at: min(callbacks.dueAt) })
        .from(callbacks)
        .where(and(eq(callbacks.toCall, true), eq(callbacks.overdueMarked, marked), gt(callbacks.dueAt, now))),
    )?.at ?? undefined;
  const times = [await next(false), await next(true)].filter((t): t is number => t != null);
  return times.length ? Math.min(...times) : undefined;
}
