import { and, desc, gte, inArray, lt, sql, eq, type SQL } from "drizzle-orm";
import { affected, countAll, first, tables, type Db } from "../../db/storage.js";
import { inTransaction, type Ctx, type NewEvent } from "../events/event-log.js";

/**
 * A read of callers' personal data: who read which records, named by their ids (never a number or a
 * note, so the audit trail holds no personal data of its own), and how many rows they saw.
 */
export interface PersonalDataRead {
  /** What was read, e.g. call_viewed; stored as the event type audit.<action>. */
  action: string;
  userId: string | undefined;
  ids: Array<string | number>;
  /** Rows read; the number of ids unless the read was larger than the ids kept. */
  count?: number;
  callSid?: string;
  callbackId?: number;
  details?: Record<string, unknown>;
}

export const AUDIT_PREFIX = "audit.";

export function auditEvent(read: PersonalDataRead): NewEvent {
  return {
    type: AUDIT_PREFIX + read.action,
    userId: read.userId,
    callSid: read.callSid,
    callbackId: read.callbackId,
    data: { ...read.details, ids: read.ids, count: read.count ?? read.ids.length },
  };
}

/** Records reads in their own transaction: a read changes nothing else. */
export async function recordReads(ctx: Ctx, ...reads: PersonalDataRead[]): Promise<void> {
  if (!reads.length) return;
  await inTransaction(ctx, async (_tx, record) => {
    for (const read of reads) await record(auditEvent(read));
  });
}

/** The same expression as the partial index events_audit_idx, so either engine can use it. */
export function isAuditEvent(db: Db): SQL {
  const { events } = tables(db);
  return sql`${events.type} like 'audit.%'`;
}

export interface AuditFilter {
  from?: number;
  /** Exclusive. */
  to?: number;
  users?: string[];
  actions?: string[];
  limit: number;
  offset: number;
}

/** The audit trail, newest first, one page of it and the total. */
export async function listAudit(db: Db, filter: AuditFilter) {
  const { events, users } = tables(db);
  const parts: Array<SQL | undefined> = [
    isAuditEvent(db),
    filter.from !== undefined ? gte(events.at, filter.from) : undefined,
    filter.to !== undefined ? lt(events.at, filter.to) : undefined,
    filter.users ? inArray(events.userId, filter.users) : undefined,
    filter.actions ? inArray(events.type, filter.actions.map((a) => AUDIT_PREFIX + a)) : undefined,
  ];
  const where = and(...parts);
  const rows = await db
    .select({ event: events, userName: users.name })
    .from(events)
    .leftJoin(users, eq(users.id, events.userId))
    .where(where)
    .orderBy(desc(events.at), desc(events.id))
    .limit(filter.limit)
    .offset(filter.offset);
  const total = first(await db.select({ n: countAll() }).from(events).where(where))?.n ?? 0;
  return { rows, total };
}

/** Deletes audit events recorded before `before`; returns how many. */
export function deleteAuditBefore(ctx: Ctx, before: number): Promise<number> {
  return inTransaction(ctx, async (tx, record) => {
    const { events } = tables(tx);
    const changes = affected(await tx.delete(events).where(and(isAuditEvent(tx), lt(events.at, before))));
    // Written after the delete, so it is kept: the trail says when and how much of itself was removed.
    if (changes) await record({ type: "audit.expired_deleted", data: { count: changes, before } });
    return changes;
  });
}
