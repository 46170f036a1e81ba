import { and, desc, eq, inArray, isNull } from "drizzle-orm";
import { callbackAttempts, callbacks, queueEntries, users } from "../../db/schema.js";
import type { CallRow } from "../calls/call-store.js";
import { inTransaction, type Ctx, type RecordEvent, type Tx } from "../events/event-log.js";
import {
  afterAttempt,
  mergeMiss,
  newItem,
  type AttemptOutcome,
  type CallbackPolicy,
  type MissReason,
  speaksItemLanguage,
} from "./callback-rules.js";
import { expireClaims, itemById, openItemForNumber, updateItem, type CallbackRow } from "./callback-store.js";
import { activeEntryForCallback } from "../queue/queue-store.js";

export class CallbackError extends Error {
  constructor(readonly code: "not_found" | "conflict" | "forbidden", message: string) {
    super(message);
  }
}

/**
 * A missed call becomes (or adds to) its caller's callback item, in the transaction that recorded the
 * miss: there is no path where a missed call leaves no item.
 */
export function recordMiss(tx: Tx, record: RecordEvent, policy: CallbackPolicy, call: CallRow, reason: MissReason, now: number): CallbackRow {
  const miss = { at: now, reason, language: call.language, topic: call.topic, priority: call.priority, callSid: call.sid };
  if (!call.fromE164) {
    // Withheld or invalid: counted and listed, never dialled.
    const item = tx
      .insert(callbacks)
      .values({ ...newItem(policy, miss), number: null, numberRaw: call.fromRaw, lastCallSid: call.sid, status: "not_callable", closedAt: now })
      .returning()
      .get();
    record({ type: "callback.not_callable", callSid: call.sid, callbackId: item.id, data: { reason } });
    return item;
  }
  const open = openItemForNumber(tx, call.fromE164);
  if (open) {
    const merged = mergeMiss(policy, { ...open, reason: open.reason as MissReason }, miss);
    updateItem(tx, open.id, { ...merged, lastCallSid: call.sid });
    record({ type: "callback.missed_again", callSid: call.sid, callbackId: open.id, data: { reason, missedCalls: merged.missedCalls } });
    return { ...open, ...merged, lastCallSid: call.sid };
  }
  const item = tx
    .insert(callbacks)
    .values({ ...newItem(policy, miss), number: call.fromE164, numberRaw: call.fromRaw, lastCallSid: call.sid })
    .returning()
    .get();
  record({ type: "callback.created", callSid: call.sid, callbackId: item.id, data: { reason, priority: item.priority, language: item.language } });
  return item;
}

/** The caller got through to an agent on their own: nobody needs to call them back any more. */
export function closeReached(tx: Tx, record: RecordEvent, number: string | null, callSid: string, now: number): void {
  if (!number) return;
  const open = openItemForNumber(tx, number);
  if (!open) return;
  updateItem(tx, open.id, { status: "reached", closedAt: now, claimedBy: null, claimExpiresAt: null });
  // A kept place or scheduled retry for them is no longer needed.
  tx.update(queueEntries)
    .set({ status: "done", endedReason: "caller_got_through" })
    .where(and(eq(queueEntries.callbackId, open.id), eq(queueEntries.status, "waiting")))
    .run();
  record({ type: "callback.closed", callSid, callbackId: open.id, data: { status: "reached", by: "caller_got_through" } });
}

/** An agent takes an item to call back. Two agents can never hold the same item. */
export function claimItem(ctx: Ctx, id: number, agent: { id: string; languages: string[] }, policy: CallbackPolicy): CallbackRow {
  return inTransaction(ctx, (tx, record) => claimIn(tx, record, ctx.clock.now(), id, agent, policy));
}

/**
 * A supervisor hands an item to an agent: it becomes the agent's claim, as if they had claimed it, and the
 * event names who handed it. An agent who does not speak the caller's language cannot be given it (409).
 */
export function assignItem(ctx: Ctx, id: number, agentId: string, supervisorId: string, policy: CallbackPolicy): CallbackRow {
  return inTransaction(ctx, (tx, record) => {
    const agent = tx.select().from(users).where(and(eq(users.id, agentId), eq(users.role, "agent"))).get();
    if (!agent) throw new CallbackError("not_found", `agent ${agentId} not found`);
    if (!agent.active) throw new CallbackError("conflict", "this agent's account is deactivated");
    const item = itemById(tx, id);
    if (item && !speaksItemLanguage(agent, item)) throw new CallbackError("conflict", `this agent does not speak the caller's language (${item.language})`);
    return claimIn(tx, record, ctx.clock.now(), id, agent, policy, supervisorId);
  });
}

function claimIn(tx: Tx, record: RecordEvent, now: number, id: number, agent: { id: string; languages: string[] }, policy: CallbackPolicy, assignedBy?: string): CallbackRow {
  expireClaims(tx, now);
  const item = itemById(tx, id);
  if (!item) throw new CallbackError("not_found", `callback ${id} not found`);
  if (item.status === "claimed" && item.claimedBy === agent.id) return item;
  if (item.status === "claimed") throw new CallbackError("conflict", "another agent has claimed this callback");
  if (item.status !== "open") throw new CallbackError("conflict", `this callback is ${item.status}`);
  if (!speaksItemLanguage(agent, item)) throw new CallbackError("forbidden", `this caller speaks ${item.language}`);
  if (activeEntryForCallback(tx, id)) throw new CallbackError("conflict", "this caller is already being called back from the queue");
  const patch = { status: "claimed" as const, claimedBy: agent.id, claimExpiresAt: now + policy.claimMinutes * 60_000 };
  updateItem(tx, id, patch);
  record({ type: "callback.claimed", callbackId: id, userId: agent.id, data: assignedBy ? { assignedBy } : undefined });
  return { ...item, ...patch };
}

/** A call-back leg to the caller is being placed: the attempt is recorded before the phone rings. */
export function startAttempt(ctx: Ctx, callbackId: number, entryId: number, agentId: string | null): number {
  return inTransaction(ctx, (tx, record) => {
    const row = tx
      .insert(callbackAttempts)
      .values({ callbackId, entryId, agentId, startedAt: ctx.clock.now() })
      .returning()
      .get();
    record({ type: "callback.attempt_started", callbackId, userId: agentId, data: { attemptId: row.id, entryId } });
    return row.id;
  });
}

export function setAttemptLeg(ctx: Ctx, attemptId: number, legSid: string): void {
  ctx.db.update(callbackAttempts).set({ callerLegSid: legSid }).where(eq(callbackAttempts.id, attemptId)).run();
}

/**
 * An attempt's result, in the transaction that also moves the call and the agent. Reached closes the
 * item; a wrong number makes it not callable; anything else is tried again on the retry schedule, and
 * after the last try the item is closed as unreachable.
 */
export function finishAttemptIn(tx: Tx, record: RecordEvent, policy: CallbackPolicy, entryId: number, outcome: AttemptOutcome, now: number): CallbackRow | undefined {
  const attempt = tx
    .select()
    .from(callbackAttempts)
    .where(and(eq(callbackAttempts.entryId, entryId), isNull(callbackAttempts.outcome)))
    .get();
  if (!attempt) return undefined;
  tx.update(callbackAttempts).set({ outcome, endedAt: now }).where(eq(callbackAttempts.id, attempt.id)).run();
  const item = itemById(tx, attempt.callbackId);
  if (!item || (item.status !== "open" && item.status !== "claimed")) return item;
  const attempts = item.attempts + 1;
  const next = afterAttempt(policy, attempts, outcome, now);
  const patch: Partial<CallbackRow> = { attempts, claimedBy: null, claimExpiresAt: null };
  if (next.status === "open") Object.assign(patch, { status: "open", reason: "no_answer", nextAttemptAt: next.nextAttemptAt });
  else Object.assign(patch, { status: next.status, closedAt: now, nextAttemptAt: null });
  updateItem(tx, item.id, patch);
  record({ type: "callback.attempt_finished", callbackId: item.id, userId: attempt.agentId, data: { outcome, attempts, status: patch.status, nextAttemptAt: patch.nextAttemptAt ?? null } });
  return { ...item, ...patch };
}

/**
 * The agent says what really happened on the last attempt (a machine answered, a wrong number): the
 * item follows the corrected outcome as if the carrier had reported it.
 */
export function correctLastAttempt(ctx: Ctx, policy: CallbackPolicy, callbackId: number, user: { id: string; role: string }, outcome: AttemptOutcome): CallbackRow {
  return inTransaction(ctx, (tx, record) => correctLastAttemptIn(tx, record, policy, callbackId, user, outcome, ctx.clock.now()));
}

/** correctLastAttempt inside a transaction that records why (an agent's wrap-up, say). */
export function correctLastAttemptIn(tx: Tx, record: RecordEvent, policy: CallbackPolicy, callbackId: number, user: { id: string; role: string }, outcome: AttemptOutcome, now: number): CallbackRow {
  const item = itemById(tx, callbackId);
  if (!item) throw new CallbackError("not_found", `callback ${callbackId} not found`);
  const last = tx.select().from(callbackAttempts).where(eq(callbackAttempts.callbackId, callbackId)).orderBy(desc(callbackAttempts.id)).limit(1).get();
  if (!last) throw new CallbackError("conflict", "this callback has no attempt yet");
  if (user.role === "agent" && last.agentId !== user.id) throw new CallbackError("forbidden", "only the agent who made the attempt can correct it");
  if (item.status === "not_callable") throw new CallbackError("conflict", "this callback is closed as not callable");
  const attempts = last.outcome === null ? item.attempts + 1 : item.attempts;
  tx.update(callbackAttempts).set({ outcome, endedAt: last.endedAt ?? now }).where(eq(callbackAttempts.id, last.id)).run();
  const next = afterAttempt(policy, attempts, outcome, now);
  const patch: Partial<CallbackRow> =
    next.status === "open"
      ? { attempts, status: "open", reason: "no_answer", nextAttemptAt: next.nextAttemptAt, closedAt: null, claimedBy: null, claimExpiresAt: null }
      : { attempts, status: next.status, closedAt: now, nextAttemptAt: null, claimedBy: null, claimExpiresAt: null };
  updateItem(tx, callbackId, patch);
  record({ type: "callback.attempt_corrected", callbackId, userId: user.id, data: { attemptId: last.id, from: last.outcome, outcome, status: patch.status, nextAttemptAt: patch.nextAttemptAt ?? null } });
  return { ...item, ...patch };
}
