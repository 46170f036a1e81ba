import { and, desc, eq, inArray, ne, sql } from "drizzle-orm";
import { queueEntries } from "../../db/schema.js";
import { prepared } from "../../db/prepared.js";
import type { Tx } from "../events/event-log.js";
import type { Db } from "../../db/connection.js";

export type QueueEntry = typeof queueEntries.$inferSelect;
type Reader = Pick<Tx, "select"> | Db;

export function entryById(db: Reader, id: number): QueueEntry | undefined {
  return db.select().from(queueEntries).where(eq(queueEntries.id, id)).get();
}

/** The call's latest entry: a caller called back later has a newer (virtual) entry than their first. */
export function entryForCall(db: Reader, callSid: string): QueueEntry | undefined {
  return prepared(db, "entryForCall", () =>
    db.select().from(queueEntries).where(eq(queueEntries.callSid, sql.placeholder("callSid"))).orderBy(desc(queueEntries.id)).limit(1).prepare(),
  ).get({ callSid });
}

/**
 * 1-based place among callers of the same language still waiting or being offered (live and kept places),
 * counting only those ahead in queue order: emergency first, then arrival, then id. Counted by the
 * database with its index, so a long queue costs no more than a short one.
 */
export function positionInQueue(db: Reader, entry: Pick<QueueEntry, "id" | "language" | "priority" | "enqueuedAt">): number {
  const ahead =
    entry.priority === "emergency"
      ? sql`${queueEntries.priority} = 'emergency' and (${queueEntries.enqueuedAt} < ${entry.enqueuedAt} or (${queueEntries.enqueuedAt} = ${entry.enqueuedAt} and ${queueEntries.id} < ${entry.id}))`
      : sql`(${queueEntries.priority} = 'emergency' or ${queueEntries.enqueuedAt} < ${entry.enqueuedAt} or (${queueEntries.enqueuedAt} = ${entry.enqueuedAt} and ${queueEntries.id} < ${entry.id}))`;
  const row = db
    .select({ n: sql<number>`count(*)` })
    .from(queueEntries)
    .where(and(inArray(queueEntries.status, ["waiting", "offered"]), eq(queueEntries.language, entry.language), ne(queueEntries.id, entry.id), ahead))
    .get();
  return (row?.n ?? 0) + 1;
}

/** Entries waiting for an agent who speaks one of these languages. */
export function waitingEntries(db: Reader, languages?: string[]): QueueEntry[] {
  const where = languages ? and(eq(queueEntries.status, "waiting"), inArray(queueEntries.language, languages)) : eq(queueEntries.status, "waiting");
  return db.select().from(queueEntries).where(where).all();
}

/** The queue entry working on a callback item now, if any. */
export function activeEntryForCallback(db: Reader, callbackId: number): QueueEntry | undefined {
  return db
    .select()
    .from(queueEntries)
    .where(and(eq(queueEntries.callbackId, callbackId), inArray(queueEntries.status, ["waiting", "offered", "connecting", "connected"])))
    .get();
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
