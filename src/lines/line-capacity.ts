import { eq, sql, type SQL } from "drizzle-orm";
import { executed, prepared } from "../../db/prepared.js";
import { countAll, first, tables, type Db, type Tables } from "../../db/storage.js";
import { inTransaction, type Ctx } from "../events/event-log.js";

const KEY = "lines";

/** Line capacity: LINES seeds it at first start, afterwards the stored setting wins. */
export async function seedCapacity(ctx: Ctx, initial: number): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const { settings } = tables(tx);
    await tx.insert(settings).values({ key: KEY, value: initial }).onConflictDoNothing();
  });
}

/** No stored capacity is no line at all: every call overflows. */
const storedCapacity = (value: unknown): number => (typeof value === "number" ? value : 0);

export async function capacity(db: Db): Promise<number> {
  const { settings } = tables(db);
  const query = prepared(db, "capacity", () => db.select({ value: settings.value }).from(settings).where(eq(settings.key, KEY)).prepare("capacity"));
  return storedCapacity(first(await query.execute())?.value);
}

/**
 * The calls holding a line, spelled as the partial index calls_line_idx is: only then do both engines
 * read that index (`holds_line = true` would make SQLite scan every call stored).
 */
export const holdingLine = (calls: Tables["calls"]): SQL => sql`${calls.holdsLine}`;

/** Lines held now: one per live call that took one. Counted, never kept as a number that could drift. */
export async function linesInUse(db: Db): Promise<number> {
  const { calls } = tables(db);
  const query = prepared(db, "linesInUse", () => db.select({ n: countAll() }).from(calls).where(holdingLine(calls)).prepare("linesInUse"));
  return first(await query.execute())?.n ?? 0;
}

/**
 * The capacity and the lines in use, read together: what an arrival decides on. The count reads only the
 * index of held calls, so it costs what the lines held cost, never what the calls stored do.
 */
export async function lineUse(db: Db): Promise<{ capacity: number; inUse: number }> {
  const { calls, settings } = tables(db);
  const query = prepared(db, "lineUse", () =>
    db
      .select({ value: settings.value, inUse: sql<number>`(select count(*) from ${calls} where ${holdingLine(calls)})`.mapWith(Number) })
      .from(settings)
      .where(eq(settings.key, KEY))
      .prepare("lineUse"),
  );
  const row = first(await executed(query, {}));
  return { capacity: storedCapacity(row?.value), inUse: row?.inUse ?? 0 };
}

export function setCapacity(ctx: Ctx, lines: number, userId: string | null): Promise<{ capacity: number; inUse: number }> {
  return inTransaction(ctx, async (tx, record) => {
    const { settings } = tables(tx);
    const before = await capacity(tx);
    await tx.insert(settings).values({ key: KEY, value: lines }).onConflictDoUpdate({ target: settings.key, set: { value: lines } });
    await record({ type: "lines.capacity_changed", userId, data: { from: before, to: lines } });
    return { capacity: lines, inUse: await linesInUse(tx) };
  });
}
