import { eq, sql } from "drizzle-orm";
import { calls, settings } from "../../db/schema.js";
import { prepared } from "../../db/prepared.js";
import { inTransaction, type Ctx, type Tx } from "../events/event-log.js";

const KEY = "lines";

/** Line capacity: LINES seeds it at first start, afterwards the stored setting wins. */
export function seedCapacity(ctx: Ctx, initial: number): void {
  ctx.db.insert(settings).values({ key: KEY, value: initial }).onConflictDoNothing().run();
}

export function capacity(tx: Pick<Tx, "select">): number {
  const row = prepared(tx, "capacity", () => tx.select({ value: settings.value }).from(settings).where(eq(settings.key, KEY)).prepare()).get();
  return typeof row?.value === "number" ? row.value : 0;
}

/** Lines held now: one per live call that took one. Counted, never kept as a number that could drift. */
export function linesInUse(tx: Pick<Tx, "select">): number {
  const row = prepared(tx, "linesInUse", () => tx.select({ n: sql<number>`count(*)` }).from(calls).where(eq(calls.holdsLine, true)).prepare()).get();
  return row?.n ?? 0;
}

export function setCapacity(ctx: Ctx, lines: number, userId: string | null): { capacity: number; inUse: number } {
  return inTransaction(ctx, (tx, record) => {
    const before = capacity(tx);
    tx.insert(settings).values({ key: KEY, value: lines }).onConflictDoUpdate({ target: settings.key, set: { value: lines } }).run();
    record({ type: "lines.capacity_changed", userId, data: { from: before, to: lines } });
    return { capacity: lines, inUse: linesInUse(tx) };
  });
}
