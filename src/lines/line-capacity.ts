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
  return storedCapacity(first(await executed(query, {}))?.value);
}

/**
 * The calls holding a line, spelled as the partial index calls_line_idx is: only then do both engines
 * read that index (`holds_line = true` would make SQLite scan every call stored).
 */
export const holdingLine = (calls: Tables["calls"]): SQL => sql`${calls.holdsLine}`;

/**
 * Lines held now: the number the triggers on `calls` keep (db/schema.ts, linesHeld), one row read
 * whatever the lines held or the calls stored. `countHeldLines` is the count it must always equal.
 */
export async function linesInUse(db: Db): Promise<number> {
  const { linesHeld } = tables(db);
  const query = prepared(db, "linesInUse", () => db.select({ n: linesHeld.held }).from(linesHeld).prepare("linesInUse"));
  return first(await executed(query, {}))?.n ?? 0;
}

/** The calls holding a line, counted one by one (over calls_line_idx): what the kept number is checked against. */
export async function countHeldLines(db: Db): Promise<number> {
  const { calls } = tables(db);
  return first(await db.select({ n: countAll() }).from(calls).where(holdingLine(calls)))?.n ?? 0;
}

/**
 * The capacity and the lines in use, read together: what an arrival decides on, in one read of two
 * single rows. It runs in the arrival's transaction, after the write lock, so two arrivals never both
 * see the last line free.
 */
export async function lineUse(db: Db): Promise<{ capacity: number; inUse: number }> {
  const { linesHeld, settings } = tables(db);
  const query = prepared(db, "lineUse", () =>
    db
      .select({ value: settings.value, inUse: sql<number>`(select ${linesHeld.held} from ${linesHeld})`.mapWith(Number) })
      .from(settings)
      .where(eq(settings.key, KEY))
      .prepare("lineUse"),
  );
  const row = first(await executed(query, {}));
  return { capacity: storedCapacity(row?.value), inUse: row?.inUse ?? 0 };
}

/**
 * Sets the kept number of lines held to the calls' own count if they differ (nothing in the hotline
 * writes it but the triggers, so a difference means someone changed the database by hand). Returns the
 * number it held before, or undefined when it was right.
 */
export function repairLinesHeld(ctx: Ctx): Promise<{ kept: number; counted: number } | undefined> {
  return inTransaction(ctx, async (tx) => {
    const { linesHeld } = tables(tx);
    const [kept, counted] = [await linesInUse(tx), await countHeldLines(tx)];
    if (kept === counted) return undefined;
    await tx.update(linesHeld).set({ held: counted });
    return { kept, counted };
  });
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
