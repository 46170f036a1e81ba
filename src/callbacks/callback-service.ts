import { and, desc, eq, isNull } from "drizzle-orm";
import { first, tables } from "../../db/storage.js";
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
export async function recordMiss(tx: Tx, record: RecordEvent, policy: CallbackPolicy, call: CallRow, reason: MissReason, now: number): Promise<CallbackRow> {
  const { callbacks } = tables(tx);
  const miss = { at: now, reason, language: call.language, topic: call.topic, priority: call.priority, callSid: call.sid };
  if (!call.fromE164) {
    // Withheld or invalid: counted and listed, never dialled.
    const [item] = await tx
      .insert(callbacks)
      .values({ ...newItem(policy, miss), number: null, numberRaw: call.fromRaw, lastCallSid: call.sid, status: "not_callable", closedAt: now })
      .returning();
    if (!item) throw new Error("callback insert returned no row");
    await record({ type: "callback.not_callable", callSid: call.sid, callbackId: item.id, data: { reason } });
    return item;
  }
  const open = await openItemForNumber(tx, call.fromE164);
  if (open) {
    const merged = mergeMiss(policy, { ...open, reason: open.reason as MissReason }, miss);
    await updateItem(tx, open.id, { ...merged, lastCallSid: call.sid });
    await record({ type: "callback.missed_again", callSid: call.sid, callbackId: open.id, data: { reason, missedCalls: merged.missedCalls } });
    return { ...open, ...merged, lastCallSid: call.sid };
  }
  const [item] = await tx
    .insert(callbacks)
    .values({ ...newItem(policy, miss), number: call.fromE164, numberRaw: call.fromRaw, lastCallSid: call.sid })
    .returning();
  if (!item) throw new Error("callback insert returned no row");
  await record({ type: "callback.created", callSid: call.sid, callbackId: item.id, data: { reason, priority: item.priority, language: item.language } });
  return item;
}

/** The caller got through to an agent on their own: nobody needs to call them back any more. */
export async function closeReached(tx: Tx, record: RecordEvent, number: string | null, callSid: string, now: number): Promise<void> {
  if (!number) return;
  const { queueEntries } = tables(tx);
  const open = await openItemForNumber(tx, number);
  if (!open) return;
  await updateItem(tx, open.id, { status: "reached", closedAt: now, claimedBy: null, claimExpiresAt: null });
  // A kept place or scheduled retry for them is no longer needed.
  await tx
    .update(queueEntries)
    .set({ status: "done", endedReason: "caller_got_through" })
    .where(and(eq(queueEntries.callbackId, open.id), eq(queueEntries.status, "waiting")));
  await record({ type: "callback.closed", callSid, callbackId: open.id, data: { status: "reached", by: "caller_got_through" } });
}

/** An agent takes an item to call back. Two agents can never hold the same item. */
export function claimItem(ctx: Ctx, id: number, agent: { id: string; languages: string[] }, policy: CallbackPolicy): Promise<CallbackRow> {
  return inTransaction(ctx, (tx, record) => claimIn(tx, record, ctx.clock.now(), id, agent, policy));
}

/**
 * A supervisor hands an item to an agent: it becomes the agent's claim, as if they had claimed it, and the
 * event names who handed it. An agent who does not speak the caller's language cannot be given it (409).
 */
export function assignItem(ctx: Ctx, id: number, agentId: string, supervisorId: string, policy: CallbackPolicy): Promise<CallbackRow> {
  return inTransaction(ctx, async (tx, record) => {
    const { users } = tables(tx);
    const agent = first(await tx.select().from(users).where(and(eq(users.id, agentId), eq(users.role, "agent"))));
    if (!agent) throw new CallbackError("not_found", `agent ${agentId} not found`);
    if (!agent.active) throw new CallbackError("conflict", "this agent's account is deactivated");
    const item = await itemById(tx, id);
    if (item && !speaksItemLanguage(agent, item)) throw new CallbackError("conflict", `this agent does not speak the caller's language (${item.language})`);
    return claimIn(tx, record, ctx.clock.now(), id, agent, policy, supervisorId);
  });
}

async function claimIn(tx: Tx, record: RecordEvent, now: number, id: number, agent: { id: string; languages: string[] }, policy: CallbackPolicy, assignedBy?: string): Promise<CallbackRow> {
  await expireClaims(tx, now);
  const item = await itemById(tx, id);
  if (!item) throw new CallbackError("not_found", `callback ${id} not found`);
  if (item.status === "claimed" && item.claimedBy === agent.id) return item;
  if (item.status === "claimed") throw new CallbackError("conflict", "another agent has claimed this callback");
  if (item.status !== "open") throw new CallbackError("conflict", `this callback is ${item.status}`);
  if (!speaksItemLanguage(agent, item)) throw new CallbackError("forbidden", `this caller speaks ${item.language}`);
  if (await activeEntryForCallback(tx, id)) throw new CallbackError("conflict", "this caller is already being called back from the queue");
  const patch = { status: "claimed" as const, claimedBy: agent.id, claimExpiresAt: now + policy.claimMinutes * 60_000 };
  await updateItem(tx, id, patch);
  await record({ type: "callback.claimed", callbackId: id, userId: agent.id, data: assignedBy ? { assignedBy } : undefined });
  return { ...item, ...patch };
}

/** A call-back leg to the caller is being placed: the attempt is recorded before the phone rings. */
export function startAttempt(ctx: Ctx, callbackId: number, entryId: number, agentId: string | null): Promise<number> {
  return inTransaction(ctx, async (tx, record) => {
    const { callbackAttempts } = tables(tx);
    const [row] = await tx.insert(callbackAttempts).values({ callbackId, entryId, agentId, startedAt: ctx.clock.now() }).returning({ id: callbackAttempts.id });
    if (!row) throw new Error("attempt insert returned no row");
    await record({ type: "callback.attempt_started", callbackId, userId: agentId, data: { attemptId: row.id, entryId } });
    return row.id;
  });
}

export function setAttemptLeg(ctx: Ctx, attemptId: number, legSid: string): Promise<void> {
  return inTransaction(ctx, async (tx) => {
    const { callbackAttempts } = tables(tx);
    await tx.update(callbackAttempts).set({ callerLegSid: legSid }).where(eq(callbackAttempts.id, attemptId));
  });
}

/**
 * An attempt's result, in the transaction that also moves the call and the agent. Reached closes the
 * item; a wrong number makes it not callable; anything else is tried again on the retry schedule, and
 * after the last try the item is closed as unreachable.
 */
export async function finishAttemptIn(tx: Tx, record: RecordEvent, policy: CallbackPolicy, entryId: number, outcome: AttemptOutcome, now: number): Promise<CallbackRow | undefined> {
  const { callbackAttempts } = tables(tx);
  const attempt = first(
    await tx
      .select()
      .from(callbackAttempts)
      .where(and(eq(callbackAttempts.entryId, entryId), isNull(callbackAttempts.outcome)))
      .limit(1),
  );
  if (!attempt) return undefined;
  await tx.update(callbackAttempts).set({ outcome, endedAt: now }).where(eq(callbackAttempts.id, attempt.id));
  const item = await itemById(tx, attempt.callbackId);
  if (!item || (item.status !== "open" && item.status !== "claimed")) return item;
  const attempts = item.attempts + 1;
  const next = afterAttempt(policy, attempts, outcome, now);
  const patch: Partial<CallbackRow> = { attempts, claimedBy: null, claimExpiresAt: null };
  if (next.status === "open") Object.assign(patch, { status: "open", reason: "no_answer", nextAttemptAt: next.nextAttemptAt });
  else Object.assign(patch, { status: next.status, closedAt: now, nextAttemptAt: null });
  await updateItem(tx, item.id, patch);
  await record({ type: "callback.attempt_finished", callbackId: item.id, userId: attempt.agentId, data: { outcome, attempts, status: patch.status, nextAttemptAt: patch.nextAttemptAt ?? null } });
  return { ...item, ...patch };
}

/**
 * The agent says what really happened on the last attempt (a machine answered, a wrong number): the
 * item follows the corrected outcome as if the carrier had reported it.
 */
export function correctLastAttempt(ctx: Ctx, policy: CallbackPolicy, callbackId: number, user: { id: string; role: string }, outcome: AttemptOutcome): Promise<CallbackRow> {
  return inTransaction(ctx, (tx, record) => correctLastAttemptIn(tx, record, policy, callbackId, user, outcome, ctx.clock.now()));
}

/** correctLastAttempt inside a transaction that records why (an agent's wrap-up, say). */
export async function correctLastAttemptIn(tx: Tx, record: RecordEvent, policy: CallbackPolicy, callbackId: number, user: { id: string; role: string }, outcome: AttemptOutcome, now: number): Promise<CallbackRow> {
  const { callbackAttempts } = tables(tx);
  const item = await itemById(tx, callbackId);
  if (!item) throw new CallbackError("not_found", `callback ${callbackId} not found`);
  const last = first(await tx.select().from(callbackAttempts).where(eq(callbackAttempts.callbackId, callbackId)).orderBy(desc(callbackAttempts.id)).limit(1));
  if (!last) throw new CallbackError("conflict", "this callback has no attempt yet");
  if (user.role === "agent" && last.agentId !== user.id) throw new CallbackError("forbidden", "only the agent who made the attempt can correct it");
  if (item.status === "not_callable") throw new CallbackError("conflict", "this callback is closed as not callable");
  const attempts = last.outcome === null ? item.attempts + 1 : item.attempts;
  await tx.update(callbackAttempts).set({ outcome, endedAt: last.endedAt ?? now }).where(eq(callbackAttempts.id, last.id));
  const next = afterAttempt(policy, attempts, outcome, now);
  const patch: Partial<CallbackRow> =
    next.status === "open"
      ? { attempts, status: "open", reason: "no_answer", nextAttemptAt: next.nextAttemptAt, closedAt: null, claimedBy: null, claimExpiresAt: null }
      : { attempts, status: next.status, closedAt: now, nextAttemptAt: null, claimedBy: null, claimExpiresAt: null };
  await updateItem(tx, callbackId, patch);
  await record({ type: "callback.attempt_corrected", callbackId, userId: user.id, data: { attemptId: last.id, from: last.outcome, outcome, status: patch.status, nextAttemptAt: patch.nextAttemptAt ?? null } });
  return { ...item, ...patch };
}
