import { and, desc, eq, gte, isNotNull, sql } from "drizzle-orm";
import { prepared, updateById } from "../../db/prepared.js";
import { calls } from "../../db/schema.js";
import type { Tx } from "../events/event-log.js";
import type { Db } from "../../db/connection.js";

export type CallRow = typeof calls.$inferSelect;
export type NewCallRow = typeof calls.$inferInsert;
type Reader = Pick<Tx, "select"> | Db;

export function findCall(db: Reader, sid: string): CallRow | undefined {
  return prepared(db, "findCall", () => db.select().from(calls).where(eq(calls.sid, sql.placeholder("sid"))).prepare()).get({ sid });
}

export function updateCall(tx: Tx, sid: string, patch: Partial<NewCallRow>): void {
  updateById(tx, calls, calls.sid, sid, patch);
}

/** The language a number chose on its latest call since `since`, for the returning-caller shortcut. */
export function recentLanguage(db: Reader, e164: string, since: number): string | undefined {
  const row = prepared(db, "recentLanguage", () =>
    db
      .select({ language: calls.language })
      .from(calls)
      .where(and(eq(calls.fromE164, sql.placeholder("e164")), gte(calls.createdAt, sql.placeholder("since")), isNotNull(calls.language), eq(calls.direction, "inbound")))
      .orderBy(desc(calls.createdAt))
      .limit(1)
      .prepare(),
  ).get({ e164, since });
  return row?.language ?? undefined;
}
