import { and, desc, eq, inArray } from "drizzle-orm";
import { queueEntries } from "../../db/schema.js";
import type { Tx } from "../events/event-log.js";
import type { Db } from "../../db/connection.js";

export type QueueEntry = typeof queueEntries.$inferSelect;
type Reader = Pick<Tx, "select"> | Db;

export function entryById(db: Reader, id: number): QueueEntry | undefined {
  return db.select().from(queueEntries).where(eq(queueEntries.id, id)).get();
}

/** The call's latest entry: a caller called back later has a newer (virtual) entry than their first. */
export function entryForCall(db: Reader, callSid: string): QueueEntry | undefined {
  return db.select().from(queueEntries).where(eq(queueEntries.callSid, callSid)).orderBy(desc(queueEntries.id)).limit(1).get();
}

/** Waiting and offered entries: everyone who is still ahead of somebody. */
export function activeEntries(db: Reader): QueueEntry[] {
  return db.select().from(queueEntries).where(inArray(queueEntries.status, ["waiting", "offered"])).all();
}

export function waitingEntries(db: Reader): QueueEntry[] {
  return db.select().from(queueEntries).where(eq(queueEntries.status, "waiting")).all();
}

export function offeredEntries(db: Reader): QueueEntry[] {
  return db.select().from(queueEntries).where(eq(queueEntries.status, "offered")).all();
}

export function updateEntry(tx: Tx, id: number, patch: Partial<QueueEntry>, onlyIfStatus?: QueueEntry["status"]): boolean {
  const where = onlyIfStatus ? and(eq(queueEntries.id, id), eq(queueEntries.status, onlyIfStatus)) : eq(queueEntries.id, id);
  return tx.update(queueEntries).set(patch).where(where).run().changes > 0;
}

export function insertEntry(tx: Tx, entry: typeof queueEntries.$inferInsert): QueueEntry {
  return tx.insert(queueEntries).values(entry).returning().get();
}
