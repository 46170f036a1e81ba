import { findCall, updateCall, type CallRow } from "../calls/call-store.js";
import { inTransaction, type Ctx, type RecordEvent, type Tx } from "../events/event-log.js";
import { findAgent, freeAgents, moveAgent } from "../agents/presence.js";
import { matchCallsToAgents } from "./routing.js";
import { activeEntryForCallback, entryById, entryForCall, insertEntry, positionInQueue, updateEntry, waitingEntries, type QueueEntry } from "./queue-store.js";
import type { UserRow } from "../users/user-store.js";
import { CallbackError, recordMiss } from "../callbacks/callback-service.js";
import { itemById, type CallbackRow } from "../callbacks/callback-store.js";

/** A caller finishes the IVR and joins the queue, keeping their language and priority. */
export async function enqueueCall(tx: Tx, record: RecordEvent, call: Pick<CallRow, "sid" | "language" | "priority">, now: number): Promise<QueueEntry> {
  const existing = await entryForCall(tx, call.sid);
  if (existing) return existing;
  const entry = await insertEntry(tx, {
    callSid: call.sid,
    language: call.language ?? "th",
    priority: call.priority,
    enqueuedAt: now,
  });
  await record({ type: "queue.joined", callSid: call.sid, data: { entryId: entry.id, language: entry.language, priority: entry.priority } });
  return entry;
}

/** What an entry forgets when its offer is over and it waits again. */
export const UNOFFERED = { agentId: null, offeredAt: null, agentLegSid: null, conferenceSid: null, agentJoinedAt: null, callerJoinedAt: null } as const;

export interface Offer {
  entry: QueueEntry;
  agent: UserRow;
  call: CallRow;
}

/**
 * Matches waiting callers with free agents and marks each match offered, all in one transaction: a call
 * can be offered to one agent only, and an agent gets one call at a time.
 */
export async function makeOffers(ctx: Ctx): Promise<Offer[]> {
  // Read first without the write lock: with nobody free there is nothing to decide, and the lock (on
  // PostgreSQL every instance's) stays free for the webhooks. An agent freed after this read commits an
  // event of their own, which starts another routing pass.
  if ((await freeAgents(ctx.db)).length === 0) return [];
  return inTransaction(ctx, async (tx, record) => {
    // Only calls a free agent could take are loaded: with nobody free, a long queue costs nothing.
    const free = await freeAgents(tx);
    if (free.length === 0) return [];
    const matches = matchCallsToAgents(await waitingEntries(tx, [...new Set(free.flatMap((a) => a.languages))]), free);
    const now = ctx.clock.now();
    const offers: Offer[] = [];
    for (const { entry, agent } of matches) {
      const call = await findCall(tx, entry.callSid);
      if (!call) continue;
      await updateEntry(tx, entry.id, { status: "offered", agentId: agent.id, offeredAt: now, offers: entry.offers + 1, agentLegSid: null }, "waiting");
      if (entry.kind === "live") await updateCall(tx, call.sid, { state: "ringing", agentId: agent.id, offeredAt: now });
      const offered = await moveAgent(tx, record, agent, "offered", now, "offer", { currentCallSid: call.sid });
      await record({ type: "call.offered", callSid: call.sid, userId: agent.id, callbackId: entry.callbackId, data: { entryId: entry.id, kind: entry.kind, waitedSeconds: Math.round((now - entry.enqueuedAt) / 1000) } });
      offers.push({ entry: { ...entry, status: "offered", agentId: agent.id, offeredAt: now }, agent: offered, call });
    }
    return offers;
  });
}

export async function setAgentLeg(ctx: Ctx, entryId: number, legSid: string): Promise<void> {
  await inTransaction(ctx, (tx) => updateEntry(tx, entryId, { agentLegSid: legSid }, "offered"));
}

/**
 * The offer was not taken (no answer, busy, declined, timed out, the phone unreachable): the agent goes
 * on break and the caller goes back to the head of the queue with their original time and priority.
 */
export async function missOffer(ctx: Ctx, entryId: number, reason: string, legSid?: string): Promise<QueueEntry | undefined> {
  return inTransaction(ctx, async (tx, record) => {
    const entry = await entryById(tx, entryId);
    if (!entry || entry.status !== "offered") return undefined;
    if (legSid && entry.agentLegSid && entry.agentLegSid !== legSid) return undefined;
    await putBack(tx, record, entry, reason, ctx.clock.now());
    return entry;
  });
}

/** An offer that ended without the two meeting: the agent goes on break, the call back to its place. */
export async function putBack(tx: Tx, record: RecordEvent, entry: QueueEntry, reason: string, now: number): Promise<void> {
  await updateEntry(tx, entry.id, { status: "waiting", ...UNOFFERED });
  if (entry.kind === "live") await updateCall(tx, entry.callSid, { state: "queued", agentId: null, offeredAt: null });
  const agent = entry.agentId ? await findAgent(tx, entry.agentId) : undefined;
  if (agent?.status === "offered" && agent.currentCallSid === entry.callSid) {
    await moveAgent(tx, record, agent, "break", now, `missed_offer:${reason}`, { currentCallSid: null });
  }
  await record({ type: "offer.missed", callSid: entry.callSid, userId: entry.agentId, data: { entryId: entry.id, reason, agentLegSid: entry.agentLegSid } });
}

/**
 * The caller's side ended (hung up, or the call finished). Whatever the queue held for them is closed;
 * an agent whose phone was ringing for them goes back to being available, keeping their idle place.
 */
export async function releaseCaller(tx: Tx, record: RecordEvent, call: CallRow, now: number): Promise<number | undefined> {
  const entry = await entryForCall(tx, call.sid);
  // A connected entry is finished by the agent's leg ending (wrap-up starts then), not by the caller's.
  if (!entry || entry.kind !== "live" || entry.status === "done" || entry.status === "connected") return undefined;
  const position = await positionInQueue(tx, entry);
  await updateEntry(tx, entry.id, { status: "done", endedReason: `abandoned_${call.state}` });
  // Hung up while the agent's phone rang, or after the agent picked up but before the two met.
  if ((entry.status === "offered" || entry.status === "connecting") && entry.agentId) {
    const agent = await findAgent(tx, entry.agentId);
    if (agent?.status === "offered") await moveAgent(tx, record, agent, "available", now, "caller_hung_up", { currentCallSid: null, keepIdleSince: true });
    await record({ type: "offer.withdrawn", callSid: call.sid, userId: entry.agentId, data: { entryId: entry.id, agentLegSid: entry.agentLegSid } });
  }
  return position;
}

/**
 * The caller pressed the callback key: they hang up but keep their place. Their entry stays in the
 * queue as a virtual place with its original time; when its turn comes, the server calls them back.
 */
export async function requestCallback(ctx: Ctx, callSid: string): Promise<{ ok: boolean; position?: number }> {
  return inTransaction(ctx, async (tx, record) => {
    const call = await findCall(tx, callSid);
    const entry = await entryForCall(tx, callSid);
    if (!call || !entry || call.state !== "queued" || entry.status !== "waiting" || entry.kind !== "live") return { ok: false };
    const now = ctx.clock.now();
    const position = await positionInQueue(tx, entry);
    await updateCall(tx, call.sid, { state: "ended", outcome: "callback_requested", endedAt: now, queuePosition: position });
    const item = await recordMiss(tx, record, ctx.callbackPolicy, call, "requested", now);
    // A withheld number cannot be called back: their place is not kept, but the request is listed.
    await updateEntry(tx, entry.id, item.number ? { kind: "virtual", callbackId: item.id } : { status: "done", endedReason: "callback_not_callable" });
    await record({ type: "callback.requested", callSid, callbackId: item.id, data: { entryId: entry.id, position, language: entry.language, priority: entry.priority } });
    return { ok: true, position };
  });
}

/** A place in the queue that stands for a caller to be called back. */
function virtualEntry(item: CallbackRow, callSid: string, now: number) {
  return { callSid, kind: "virtual" as const, language: item.language ?? "th", priority: item.priority, enqueuedAt: now, callbackId: item.id };
}

/**
 * A callback item due for another try joins the queue as a virtual place, behind the callers already
 * waiting: it is routed like any call, and the agent who takes it is connected to the caller by phone.
 */
export async function enqueueRetry(ctx: Ctx, callbackId: number): Promise<QueueEntry | undefined> {
  return inTransaction(ctx, async (tx, record) => {
    const item = await itemById(tx, callbackId);
    if (!item?.number || item.status !== "open" || !item.lastCallSid) return undefined;
    const active = await activeEntryForCallback(tx, callbackId);
    if (active) return active;
    const entry = await insertEntry(tx, virtualEntry(item, item.lastCallSid, ctx.clock.now()));
    await record({ type: "queue.joined", callSid: item.lastCallSid, callbackId, data: { entryId: entry.id, kind: "virtual", retry: true } });
    return entry;
  });
}

/** An agent who claimed an item calls it back now: the offer goes straight to them. */
export async function offerClaimedCallback(ctx: Ctx, callbackId: number, agentId: string): Promise<QueueEntry> {
  return inTransaction(ctx, async (tx, record) => {
    const item = await itemById(tx, callbackId);
    if (!item || item.status !== "claimed" || item.claimedBy !== agentId) throw new CallbackError("conflict", "claim this callback first");
    if (!item.number || !item.lastCallSid) throw new CallbackError("conflict", "this caller cannot be called back");
    const agent = await findAgent(tx, agentId);
    if (agent?.status !== "available") throw new CallbackError("conflict", "set yourself available before calling back");
    const now = ctx.clock.now();
    const entry = await insertEntry(tx, { ...virtualEntry(item, item.lastCallSid, now), status: "offered", agentId, offeredAt: now, offers: 1 });
    await moveAgent(tx, record, agent, "offered", now, "callback", { currentCallSid: item.lastCallSid });
    await record({ type: "call.offered", callSid: item.lastCallSid, userId: agentId, callbackId, data: { entryId: entry.id, kind: "virtual", waitedSeconds: 0 } });
    return entry;
  });
}

/** Back to the queue with the caller's original place: nobody who was helped half-way starts again at the back. */
export async function requeueCaller(ctx: Ctx, callSid: string, reason: string): Promise<void> {
  await inTransaction(ctx, async (tx, record) => {
    const call = await findCall(tx, callSid);
    const entry = await entryForCall(tx, callSid);
    if (!call || call.state === "ended" || !entry) return;
    // An agent still holding this call (it never reached them) is freed, keeping their idle place.
    const agent = entry.agentId ? await findAgent(tx, entry.agentId) : undefined;
    if (agent && agent.currentCallSid === callSid && (agent.status === "on_call" || agent.status === "offered")) {
      await moveAgent(tx, record, agent, "available", ctx.clock.now(), reason, { currentCallSid: null, keepIdleSince: true });
    }
    await updateEntry(tx, entry.id, { status: "waiting", kind: "live", ...UNOFFERED });
    await updateCall(tx, callSid, { state: "queued", agentId: null });
    await record({ type: "call.requeued", callSid, data: { entryId: entry.id, reason } });
  });
}
