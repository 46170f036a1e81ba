import { and, desc, eq, inArray, ne, sql } from "drizzle-orm";
import { executed, prepared } from "../../db/prepared.js";
import { affected, countAll, first, tables, type Db, type Tables } from "../../db/storage.js";
import type { Tx } from "../events/event-log.js";

export type QueueEntry = Tables["queueEntries"]["$inferSelect"];
type NewQueueEntry = Tables["queueEntries"]["$inferInsert"];

export async function entryById(db: Db, id: number): Promise<QueueEntry | undefined> {
  const { queueEntries } = tables(db);
  return first(await db.select().from(queueEntries).where(eq(queueEntries.id, id)));
}

/** The call's latest entry: a caller called back later has a newer (virtual) entry than their first. */
export async function entryForCall(db: Db, callSid: string): Promise<QueueEntry | undefined> {
  const { queueEntries } = tables(db);
  const query = prepared(db, "entryForCall", () =>
    db.select().from(queueEntries).where(eq(queueEntries.callSid, sql.placeholder("callSid"))).orderBy(desc(queueEntries.id)).limit(1).prepare("entryForCall"),
  );
  return first(await executed(query, { callSid }));
}

/**
 * 1-based place among callers of the same language still waiting or being offered (live and kept places),
 * counting only those ahead in queue order: emergency first, then arrival, then id. Counted by the
 * database with its index, so a long queue costs no more than a short one.
 */
export async function positionInQueue(db: Db, entry: Pick<QueueEntry, "id" | "language" | "priority" | "enqueuedAt">): Promise<number> {
  const { queueEntries } = tables(db);
  const ahead =
    entry.priority === "emergency"
      ? sql`${queueEntries.priority} = 'emergency' and (${queueEntries.enqueuedAt} < ${entry.enqueuedAt} or (${queueEntries.enqueuedAt} = ${entry.enqueuedAt} and ${queueEntries.id} < ${entry.id}))`
      : sql`(${queueEntries.priority} = 'emergency' or ${queueEntries.enqueuedAt} < ${entry.enqueuedAt} or (${queueEntries.enqueuedAt} = ${entry.enqueuedAt} and ${queueEntries.id} < ${entry.id}))`;
  const row = first(
    await db
      .select({ n: countAll() })
      .from(queueEntries)
      .where(and(inArray(queueEntries.status, ["waiting", "offered"]), eq(queueEntries.language, entry.language), ne(queueEntries.id, entry.id), ahead)),
  );
  return (row?.n ?? 0) + 1;
}

/** Entries waiting for an agent who speaks one of these languages. */
export async function waitingEntries(db: Db, languages?: string[]): Promise<QueueEntry[]> {
  const { queueEntries } = tables(db);
  const where = languages ? and(eq(queueEntries.status, "waiting"), inArray(queueEntries.language, languages)) : eq(queueEntries.status, "waiting");
  return db.select().from(queueEntries).where(where);
}

/** The queue entry working on a callback item now, if any. */
export async function activeEntryForCallback(db: Db, callbackId: number): Promise<QueueEntry | undefined> {
  const { queueEntries } = tables(db);
  return first(
    await db
      .select()
      .from(queueEntries)
      .where(and(eq(queueEntries.callbackId, callbackId), inArray(queueEntries.status, ["waiting", "offered", "connecting", "connected"])))
      .limit(1),
  );
}

export async function offeredEntries(db: Db): Promise<QueueEntry[]> {
  const { queueEntries } = tables(db);
  return db.select().from(queueEntries).where(eq(queueEntries.status, "offered"));
}

export async function updateEntry(tx: Tx, id: number, patch: Partial<QueueEntry>, onlyIfStatus?: QueueEntry["status"]): Promise<boolean> {
  const { queueEntries } = tables(tx);
  const where = onlyIfStatus ? and(eq(queueEntries.id, id), eq(queueEntries.status, onlyIfStatus)) : eq(queueEntries.id, id);
  return affected(await tx.update(queueEntries).set(patch).where(where)) > 0;
}

export async function insertEntry(tx: Tx, entry: NewQueueEntry): Promise<QueueEntry> {
  const { queueEntries } = tables(tx);
  const [row] = await tx.insert(queueEntries).values(entry).returning();
  return row!;
}
