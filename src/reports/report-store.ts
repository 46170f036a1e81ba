import { and, eq, gte, inArray, isNull, lt, max, ne, or, gt, sql } from "drizzle-orm";
import { countAll, first, jsonText, tables, type Db } from "../../db/storage.js";
import type { CallbackFact, CallFact } from "./interval-figures.js";
import type { StatusChange } from "./status-segments.js";

/*
 * What the reports read: calls rows and the event trail, for a period [from, to). Nothing here decides;
 * the figures are pure functions of what these return, and the period's hours and days are cut in
 * TypeScript (time-buckets.ts), so no query here depends on an engine's date functions.
 */

/** Inbound calls that arrived in the period. */
export async function inboundCalls(db: Db, from: number, to: number, filter?: { language?: string }): Promise<CallFact[]> {
  const { calls } = tables(db);
  return await db
    .select({ sid: calls.sid, createdAt: calls.createdAt, queuedAt: calls.queuedAt, connectedAt: calls.connectedAt, endedAt: calls.endedAt, outcome: calls.outcome, language: calls.language, topic: calls.topic })
    .from(calls)
    .where(and(eq(calls.direction, "inbound"), gte(calls.createdAt, from), lt(calls.createdAt, to), filter?.language ? eq(calls.language, filter.language) : undefined));
}

/**
 * Agents' status changes in [from, to), preceded by each agent's last change before `from` (the status
 * they were in when the period began).
 */
export async function statusChanges(db: Db, from: number, to: number): Promise<StatusChange[]> {
  const { events } = tables(db);
  const row = { userId: events.userId, at: events.at, data: events.data, callSid: events.callSid, id: events.id };
  const lastBefore = db
    .select({ id: max(events.id) })
    .from(events)
    .where(and(eq(events.type, "agent.status"), lt(events.at, from)))
    .groupBy(events.userId);
  const before = await db.select(row).from(events).where(inArray(events.id, lastBefore));
  const during = await db
    .select(row)
    .from(events)
    .where(and(eq(events.type, "agent.status"), gte(events.at, from), lt(events.at, to)))
    .orderBy(events.at, events.id);
  return [...before, ...during]
    .filter((e) => e.userId !== null)
    .map((e) => ({ userId: e.userId!, at: e.at, to: String(e.data.to), callSid: e.callSid }));
}

/** Callback items created, reached and fallen due in the period, with the language and topic of each. */
export async function callbackFacts(db: Db, from: number, to: number): Promise<{ created: CallbackFact[]; reached: CallbackFact[]; overdue: CallbackFact[] }> {
  const { callbacks, events } = tables(db);
  const created = await db
    .select({ at: events.at, language: callbacks.language, topic: callbacks.topic })
    .from(events)
    .innerJoin(callbacks, eq(callbacks.id, events.callbackId))
    .where(and(eq(events.type, "callback.created"), gte(events.at, from), lt(events.at, to)));
  // closed_at is not null here (it is in the period); as raw SQL it loses the column's decoding, hence mapWith.
  const reached = await db
    .select({ at: sql<number>`${callbacks.closedAt}`.mapWith(Number), language: callbacks.language, topic: callbacks.topic })
    .from(callbacks)
    .where(and(eq(callbacks.status, "reached"), gte(callbacks.closedAt, from), lt(callbacks.closedAt, to)));
  // Overdue: the due time passed in the period while the item was still open (closed later, or not yet).
  const overdue = await db
    .select({ at: callbacks.dueAt, language: callbacks.language, topic: callbacks.topic })
    .from(callbacks)
    .where(and(gte(callbacks.dueAt, from), lt(callbacks.dueAt, to), ne(callbacks.status, "not_callable"), or(isNull(callbacks.closedAt), gt(callbacks.closedAt, callbacks.dueAt))));
  return { created, reached, overdue };
}

export interface AgentRow {
  id: string;
  name: string;
  languages: string[];
  status: string;
}

export async function agentsOf(db: Db): Promise<AgentRow[]> {
  const { users } = tables(db);
  return await db.select({ id: users.id, name: users.name, languages: users.languages, status: users.status }).from(users).where(eq(users.role, "agent")).orderBy(users.name);
}

/** How many events of each type each agent has in the period (calls answered, offers missed). */
export async function eventCountsByAgent(db: Db, types: string[], from: number, to: number): Promise<Array<{ userId: string | null; type: string; kind: string | null; n: number }>> {
  const { events } = tables(db);
  // The JSON field is named once, in a subquery, and grouped by its alias: PostgreSQL would not take the
  // same expression in the select list and the GROUP BY as one when each carries its own bound key.
  const facts = db
    .select({ userId: events.userId, type: events.type, kind: jsonText(db, events.data, "kind").as("kind") })
    .from(events)
    .where(and(inArray(events.type, types), gte(events.at, from), lt(events.at, to)))
    .as("facts");
  return await db
    .select({ userId: facts.userId, type: facts.type, kind: facts.kind, n: countAll() })
    .from(facts)
    .groupBy(facts.userId, facts.type, facts.kind);
}

/** When the hotline took its first call: no history before it, so no zero hours either. */
export async function firstCallAt(db: Db): Promise<number | undefined> {
  const { calls } = tables(db);
  // min() of no rows is null, which is never decoded; anything else is a number on both engines.
  const row = first(await db.select({ at: sql<number | null>`min(${calls.createdAt})`.mapWith(Number) }).from(calls).where(eq(calls.direction, "inbound")));
  return row?.at ?? undefined;
}
