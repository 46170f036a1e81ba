import { and, asc, eq, gt, lte, or, sql, type Placeholder } from "drizzle-orm";
import { prepared } from "../../db/prepared.js";
import { first, tables, type Db, type Tables } from "../../db/storage.js";
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
 * Items still to call whose mark is behind the clock: past their deadline and unmarked, or marked with
 * their deadline still ahead (the clock was set back, or another instance's ran a little ahead).
 */
const markBehind = (callbacks: Tables["callbacks"], now: number | Placeholder) =>
  and(
    eq(callbacks.toCall, true),
    or(and(eq(callbacks.overdueMarked, false), lte(callbacks.dueAt, now)), and(eq(callbacks.overdueMarked, true), gt(callbacks.dueAt, now))),
  );

/** Brings the overdue marks up to `now`; writes only when one is behind (once per item that turns overdue). */
export async function markOverdue(ctx: Ctx, now: number): Promise<void> {
  const db = ctx.db;
  const { callbacks } = tables(db);
  const behind = prepared(db, "overdueMarkBehind", () =>
    db.select({ id: callbacks.id }).from(callbacks).where(markBehind(callbacks, sql.placeholder("now"))).limit(1).prepare("overdueMarkBehind"),
  );
  if (!first(await behind.execute({ now }))) return;
  await inTransaction(ctx, async (tx) => {
    const { callbacks } = tables(tx);
    await tx.update(callbacks).set({ overdueMarked: sql`${callbacks.dueAt} <= ${now}` }).where(markBehind(callbacks, now));
  });
}

/** The supervisors' live list: the most urgent items still to call. */
export async function mostUrgent(ctx: Ctx, now: number, limit: number): Promise<CallbackRow[]> {
  await markOverdue(ctx, now);
  const { callbacks } = tables(ctx.db);
  return ctx.db.select().from(callbacks).where(eq(callbacks.toCall, true)).orderBy(...urgentFirst(ctx.db)).limit(limit);
}
