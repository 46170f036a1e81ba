import { and, eq, gte, inArray, lt, sql } from "drizzle-orm";
import { callbacks, calls, events, users } from "../../db/schema.js";
import type { Db } from "../../db/connection.js";
import type { CallbackFact, CallFact } from "./interval-figures.js";
import type { StatusChange } from "./status-segments.js";

/*
 * What the reports read: calls rows and the event trail, for a period [from, to). Nothing here decides;
 * the figures are pure functions of what these return.
 */

/** Inbound calls that arrived in the period. */
export function inboundCalls(db: Db, from: number, to: number, filter?: { language?: string }): CallFact[] {
  return db
    .select({ sid: calls.sid, createdAt: calls.createdAt, queuedAt: calls.queuedAt, connectedAt: calls.connectedAt, endedAt: calls.endedAt, outcome: calls.outcome, language: calls.language, topic: calls.topic })
    .from(calls)
    .where(and(eq(calls.direction, "inbound"), gte(calls.createdAt, from), lt(calls.createdAt, to), filter?.language ? eq(calls.language, filter.language) : undefined))
    .all();
}

/**
 * Agents' status changes in [from, to), preceded by each agent's last change before `from` (the status
 * they were in when the period began).
 */
export function statusChanges(db: Db, from: number, to: number): StatusChange[] {
  const row = { userId: events.userId, at: events.at, data: events.data, callSid: events.callSid, id: events.id };
  const before = db
    .select(row)
    .from(events)
    .where(sql`${events.id} in (select max(id) from events where type = 'agent.status' and at < ${from} group by user_id)`)
    .all();
  const during = db
    .select(row)
    .from(events)
    .where(and(eq(events.type, "agent.status"), gte(events.at, from), lt(events.at, to)))
    .orderBy(events.at, events.id)
    .all();
  return [...before, ...during]
    .filter((e) => e.userId !== null)
    .map((e) => ({ userId: e.userId!, at: e.at, to: String(e.data.to), callSid: e.callSid }));
}

/** Callback items created, reached and fallen due in the period, with the language and topic of each. */
export function callbackFacts(db: Db, from: number, to: number): { created: CallbackFact[]; reached: CallbackFact[]; overdue: CallbackFact[] } {
  const created = db
    .select({ at: events.at, language: callbacks.language, topic: callbacks.topic })
    .from(events)
    .innerJoin(callbacks, eq(callbacks.id, events.callbackId))
    .where(and(eq(events.type, "callback.created"), gte(events.at, from), lt(events.at, to)))
    .all();
  const reached = db
    .select({ at: sql<number>`${callbacks.closedAt}`, language: callbacks.language, topic: callbacks.topic })
    .from(callbacks)
    .where(and(eq(callbacks.status, "reached"), gte(callbacks.closedAt, from), lt(callbacks.closedAt, to)))
    .all();
  // Overdue: the due time passed in the period while the item was still open (closed later, or not yet).
  const overdue = db
    .select({ at: callbacks.dueAt, language: callbacks.language, topic: callbacks.topic })
    .from(callbacks)
    .where(and(gte(callbacks.dueAt, from), lt(callbacks.dueAt, to), sql`${callbacks.status} <> 'not_callable'`, sql`(${callbacks.closedAt} is null or ${callbacks.closedAt} > ${callbacks.dueAt})`))
    .all();
  return { created, reached, overdue };
}

export interface AgentRow {
  id: string;
  name: string;
  languages: string[];
  status: string;
}

export function agentsOf(db: Db): AgentRow[] {
  return db.select({ id: users.id, name: users.name, languages: users.languages, status: users.status }).from(users).where(eq(users.role, "agent")).orderBy(users.name).all();
}

/** How many events of each type each agent has in the period (calls answered, offers missed). */
export function eventCountsByAgent(db: Db, types: string[], from: number, to: number): Array<{ userId: string | null; type: string; kind: unknown; n: number }> {
  return db
    .select({ userId: events.userId, type: events.type, kind: sql<unknown>`json_extract(${events.data}, '$.kind')`, n: sql<number>`count(*)` })
    .from(events)
    .where(and(inArray(events.type, types), gte(events.at, from), lt(events.at, to)))
    .groupBy(events.userId, events.type, sql`json_extract(${events.data}, '$.kind')`)
    .all();
}

/** When the hotline took its first call: no history before it, so no zero hours either. */
export function firstCallAt(db: Db): number | undefined {
  return db.select({ at: sql<number | null>`min(${calls.createdAt})` }).from(calls).where(eq(calls.direction, "inbound")).get()?.at ?? undefined;
}
