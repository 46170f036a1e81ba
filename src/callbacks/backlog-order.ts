import { and, asc, eq, gt, lte, max, min } from "drizzle-orm";
import { executed, prepared } from "../../db/prepared.js";
import { first, tables, type Db } from "../../db/storage.js";
import { inTransaction, type Ctx } from "../events/event-log.js";
import type { CallbackRow } from "./callback-store.js";

/**
 * The backlog's order, most urgent first: emergency, then overdue, then the oldest first miss. It is read
 * from an index (callbacks_*order_idx) rather than sorted on every request: the database keeps each
 * item's rank (`urgency_rank`, db/schema.ts) on every write. The one thing no write tells it is time
 * passing a deadline, so whoever reads in this order first marks the items that became overdue
 * (`markOverdue`), as the list expires claims that ran out.
 */
export const urgentFirst = (db: Db) => {
  const { callbacks } = tables(db);
  return [asc(callbacks.urgencyRank), asc(callbacks.firstMissedAt), asc(callbacks.id)];
};

/**
 * The marks behind the clock: the earliest deadline of the items still to call not marked overdue has
 * passed, or the latest of those marked is still ahead (the clock was set back, or another instance's ran a
 * little ahead). Each is one seek in callbacks_deadline_idx.
 */
async function marksBehind(db: Db, now: number): Promise<{ unmarked: boolean; marked: boolean }> {
  const { callbacks } = tables(db);
  const edge = (marked: boolean) => {
    const name = marked ? "latestMarkedOverdue" : "earliestNotMarkedOverdue";
    return prepared(db, name, () =>
      db
        .select({ at: marked ? max(callbacks.dueAt) : min(callbacks.dueAt) })
        .from(callbacks)
        .where(and(eq(callbacks.toCall, true), eq(callbacks.overdueMarked, marked)))
        .prepare(name),
    );
  };
  const earliestUnmarked = first(await executed(edge(false), {}))?.at;
  const latestMarked = first(await executed(edge(true), {}))?.at;
  return { unmarked: earliestUnmarked != null && earliestUnmarked <= now, marked: latestMarked != null && latestMarked > now };
}

/** Brings the overdue marks up to `now`; writes only when one is behind (once per item that turns overdue). */
export async function markOverdue(ctx: Ctx, now: number): Promise<void> {
  const behind = await marksBehind(ctx.db, now);
  if (!behind.unmarked && !behind.marked) return;
  await inTransaction(ctx, async (tx) => {
    const { callbacks } = tables(tx);
    const toCall = eq(callbacks.toCall, true);
    if (behind.unmarked) await tx.update(callbacks).set({ overdueMarked: true }).where(and(toCall, eq(callbacks.overdueMarked, false), lte(callbacks.dueAt, now)));
    if (behind.marked) await tx.update(callbacks).set({ overdueMarked: false }).where(and(toCall, eq(callbacks.overdueMarked, true), gt(callbacks.dueAt, now)));
  });
}

/** The supervisors' live list: the most urgent items still to call. */
export async function mostUrgent(ctx: Ctx, now: number, limit: number): Promise<CallbackRow[]> {
  await markOverdue(ctx, now);
  const { callbacks } = tables(ctx.db);
  return ctx.db.select().from(callbacks).where(eq(callbacks.toCall, true)).orderBy(...urgentFirst(ctx.db)).limit(limit);
}
