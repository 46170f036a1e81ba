import { and, desc, gte, inArray, lt, sql, eq, type SQL } from "drizzle-orm";
import { events, users } from "../../db/schema.js";
import type { Db } from "../../db/connection.js";
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
export function recordReads(ctx: Ctx, ...reads: PersonalDataRead[]): void {
  if (reads.length) inTransaction(ctx, (_tx, record) => reads.forEach((read) => record(auditEvent(read))));
}

/** The same expression as the partial index events_audit_idx, so SQLite can use it. */
export const isAuditEvent = sql`${events.type} like 'audit.%'`;

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
export function listAudit(db: Db, filter: AuditFilter) {
  const parts: Array<SQL | undefined> = [
    isAuditEvent,
    filter.from !== undefined ? gte(events.at, filter.from) : undefined,
    filter.to !== undefined ? lt(events.at, filter.to) : undefined,
    filter.users ? inArray(events.userId, filter.users) : undefined,
    filter.actions ? inArray(events.type, filter.actions.map((a) => AUDIT_PREFIX + a)) : undefined,
  ];
  const where = and(...parts);
  const rows = db
    .select({ event: events, userName: users.name })
    .from(events)
    .leftJoin(users, eq(users.id, events.userId))
    .where(where)
    .orderBy(desc(events.at), desc(events.id))
    .limit(filter.limit)
    .offset(filter.offset)
    .all();
  const total = db.select({ n: sql<number>`count(*)` }).from(events).where(where).get()?.n ?? 0;
  return { rows, total };
}

/** Deletes audit events recorded before `before`; returns how many. */
export function deleteAuditBefore(ctx: Ctx, before: number): number {
  return inTransaction(ctx, (tx, record) => {
    const { changes } = tx.delete(events).where(and(isAuditEvent, lt(events.at, before))).run();
    // Written after the delete, so it is kept: the trail says when and how much of itself was removed.
    if (changes) record({ type: "audit.expired_deleted", data: { count: changes, before } });
    return changes;
  });
}
