import { and, desc, eq, gte, isNotNull, sql } from "drizzle-orm";
import { prepared, updateById } from "../../db/prepared.js";
import { affected, first, tables, type Db, type Tables } from "../../db/storage.js";
import type { Tx } from "../events/event-log.js";

export type CallRow = Tables["calls"]["$inferSelect"];
export type NewCallRow = Tables["calls"]["$inferInsert"];

export async function findCall(db: Db, sid: string): Promise<CallRow | undefined> {
  const { calls } = tables(db);
  const query = prepared(db, "findCall", () => db.select().from(calls).where(eq(calls.sid, sql.placeholder("sid"))).prepare("findCall"));
  return first(await query.execute({ sid }));
}

/** Every column of a call, in the schema's order: the arrival inserts them all, so nothing is read back. */
const CALL_COLUMNS = [
  "sid", "direction", "fromRaw", "fromE164", "toRaw", "state", "outcome", "language", "topic", "priority", "ivrNode", "ivrRetries", "ivrPath",
  "holdsLine", "carrierStatus", "agentId", "parentSid", "callbackId", "queuePosition", "createdAt", "queuedAt", "offeredAt", "connectedAt", "endedAt",
] as const satisfies ReadonlyArray<keyof CallRow>;

/**
 * Inserts a whole call row, with an insert built once per connection (the arrival's: drizzle built it
 * anew on every call, and RETURNING mapped the 24 columns back). False when a call with that SID is
 * already stored: nothing is written, and the arrival needs no read first to know a repeat.
 */
export async function insertCall(tx: Tx, row: CallRow): Promise<boolean> {
  const { calls } = tables(tx);
  const query = prepared(tx, "insertCall", () =>
    tx
      .insert(calls)
      .values(Object.fromEntries(CALL_COLUMNS.map((c) => [c, sql.placeholder(c)])) as never)
      .onConflictDoNothing()
      .prepare("insertCall"),
  );
  return affected(await query.execute(row)) === 1;
}

export async function updateCall(tx: Tx, sid: string, patch: Partial<NewCallRow>): Promise<void> {
  const { calls } = tables(tx);
  await updateById(tx, calls, calls.sid, sid, patch);
}

/**
 * The language a number chose on its latest call since `since`, for the returning-caller shortcut: read
 * from calls_from_idx. Its constants are written into the statement: with LIMIT bound as a parameter
 * SQLite took three times as long over the same index (drizzle binds `.limit(1)`).
 */
export async function recentLanguage(db: Db, e164: string, since: number): Promise<string | undefined> {
  const { calls } = tables(db);
  const query = prepared(db, "recentLanguage", () =>
    db
      .select({ language: calls.language })
      .from(calls)
      .where(and(eq(calls.fromE164, sql.placeholder("e164")), gte(calls.createdAt, sql.placeholder("since")), isNotNull(calls.language), sql`${calls.direction} = 'inbound'`))
      .orderBy(desc(calls.createdAt))
      .limit(sql`1` as never)
      .prepare("recentLanguage"),
  );
  return first(await query.execute({ e164, since }))?.language ?? undefined;
}
