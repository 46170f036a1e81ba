import { and, desc, eq, gte, isNotNull } from "drizzle-orm";
import { calls } from "../../db/schema.js";
import type { Tx } from "../events/event-log.js";
import type { Db } from "../../db/connection.js";

export type CallRow = typeof calls.$inferSelect;
export type NewCallRow = typeof calls.$inferInsert;
type Reader = Pick<Tx, "select"> | Db;

export function findCall(db: Reader, sid: string): CallRow | undefined {
  return db.select().from(calls).where(eq(calls.sid, sid)).get();
}

export function updateCall(tx: Tx, sid: string, patch: Partial<NewCallRow>): void {
  tx.update(calls).set(patch).where(eq(calls.sid, sid)).run();
}

/** The language a number chose on its latest call since `since`, for the returning-caller shortcut. */
export function recentLanguage(db: Reader, e164: string, since: number): string | undefined {
  const row = db
    .select({ language: calls.language })
    .from(calls)
    .where(and(eq(calls.fromE164, e164), gte(calls.createdAt, since), isNotNull(calls.language), eq(calls.direction, "inbound")))
    .orderBy(desc(calls.createdAt))
    .limit(1)
    .get();
  return row?.language ?? undefined;
}
