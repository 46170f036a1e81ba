import { findCall, updateCall, type CallRow } from "../calls/call-store.js";
import { inTransaction, type Ctx, type RecordEvent, type Tx } from "../events/event-log.js";
import { findAgent, moveAgent } from "../agents/presence.js";
import { closeReached, finishAttemptIn } from "../callbacks/callback-service.js";
import type { AttemptOutcome } from "../callbacks/callback-rules.js";
import { entryById, updateEntry, type QueueEntry } from "./queue-store.js";
import { putBack } from "./queue-service.js";

/*
 * From "the agent picked up" to "answered". A call is answered only once the caller's leg and the
 * agent's leg were both in the entry's conference at the same time, as the carrier reports it: an agent
 * leg that joins and drops (a browser that crashes, a voicemail) must never count a caller as helped.
 *
 *   offered ──accept──► connecting ──both joined──► connected ──agent leg ends──► done (wrap-up)
 *                          │ agent gone first: caller back to the head of the queue, agent on break
 *                          │ caller gone first: abandoned while connecting (a callback item), agent freed
 */

export type AcceptResult = { ok: true; entry: QueueEntry; call: CallRow } | { ok: false; reason: string };

/** The caller's leg in an entry's conference: the inbound call itself, or the leg that called them back. */
export function customerLeg(entry: QueueEntry): string | null {
  return entry.kind === "live" ? entry.callSid : entry.callbackLegSid;
}

/**
 * A phone or SIP agent picked up: before the caller is connected they hear who is calling and must press
 * a key (a voicemail never does). The whisper gets its own deadline: the ring timer is for ringing.
 */
export async function startWhisper(ctx: Ctx, entryId: number, legSid: string): Promise<QueueEntry | undefined> {
  return inTransaction(ctx, async (tx, record) => {
    const entry = await entryById(tx, entryId);
    if (!entry || entry.status !== "offered" || (entry.agentLegSid && entry.agentLegSid !== legSid)) return undefined;
    const now = ctx.clock.now();
    await updateEntry(tx, entry.id, { offeredAt: now, agentLegSid: legSid });
    await record({ type: "offer.whisper", callSid: entry.callSid, userId: entry.agentId, data: { entryId: entry.id, agentLegSid: legSid, offeredAt: now } });
    return { ...entry, offeredAt: now, agentLegSid: legSid };
  });
}

/** The agent took the offer (answered in the browser, or pressed the key): the caller is brought in next. */
export async function acceptOffer(ctx: Ctx, entryId: number, legSid: string): Promise<AcceptResult> {
  return inTransaction(ctx, async (tx, record): Promise<AcceptResult> => {
    const entry = await entryById(tx, entryId);
    if (!entry) return { ok: false, reason: "unknown offer" };
    const call = await findCall(tx, entry.callSid);
    if ((entry.status === "connecting" || entry.status === "connected") && entry.agentLegSid === legSid) {
      return call ? { ok: true, entry, call } : { ok: false, reason: "unknown call" };
    }
    if (entry.status !== "offered" || (entry.agentLegSid && entry.agentLegSid !== legSid)) return { ok: false, reason: "offer withdrawn" };
    if (!call || (entry.kind === "live" && call.state !== "ringing")) return { ok: false, reason: "caller gone" };
    const patch = { status: "connecting" as const, agentLegSid: legSid, conferenceSid: null, agentJoinedAt: null, callerJoinedAt: null };
    await updateEntry(tx, entry.id, patch);
    await record({ type: "offer.accepted", callSid: call.sid, userId: entry.agentId, data: { entryId: entry.id, agentLegSid: legSid, kind: entry.kind } });
    return { ok: true, entry: { ...entry, ...patch }, call };
  });
}

export interface PresenceReport {
  entryId: number;
  /** The leg the carrier reports on. */
  legSid: string;
  change: "join" | "leave";
  conferenceSid: string;
}

/** The carrier reports a leg joining or leaving an entry's conference. */
export async function conferencePresence(ctx: Ctx, report: PresenceReport): Promise<void> {
  await inTransaction(ctx, async (tx, record) => {
    const entry = await entryById(tx, report.entryId);
    if (!entry) return;
    // A leg joins or leaves a given conference once: a repeated report, by callback or by reconciliation, changes nothing.
    const dedupeKey = `conf:${report.conferenceSid}:${report.change}:${report.legSid}`;
    const fresh = await record({ type: `conference.${report.change}`, callSid: entry.callSid, data: { entryId: entry.id, legSid: report.legSid }, dedupeKey });
    // Only the moments before "answered" matter here; after it, the legs' own statuses end the call.
    if (!fresh || entry.status !== "connecting") return;
    const now = ctx.clock.now();
    const isAgent = report.legSid === entry.agentLegSid;
    const isCaller = report.legSid === customerLeg(entry);
    if (report.change === "join") {
      if (!isAgent && !isCaller) return;
      // Joining another conference than the one recorded: that one is over, and nobody from it is here.
      const before = entry.conferenceSid === report.conferenceSid ? entry : { agentJoinedAt: null, callerJoinedAt: null };
      const joined = {
        conferenceSid: report.conferenceSid,
        agentJoinedAt: isAgent ? now : before.agentJoinedAt,
        callerJoinedAt: isCaller ? now : before.callerJoinedAt,
      };
      await updateEntry(tx, entry.id, joined);
      if (joined.agentJoinedAt !== null && joined.callerJoinedAt !== null) await bringTogether(ctx, tx, record, entry, now);
    } else if (isAgent) {
      await agentGoneFirst(ctx, tx, record, entry, "agent_left_before_caller", now);
    } else if (isCaller && entry.kind === "virtual") {
      // A live caller who leaves has hung up: their call's own status ends it as abandoned.
      await callBackEndsIn(ctx, tx, record, entry, "no_answer", now);
    }
  });
}

/** Both legs are in the conference: the call is answered, the callback item reached, the agent on the call. */
async function bringTogether(ctx: Ctx, tx: Tx, record: RecordEvent, entry: QueueEntry, now: number): Promise<void> {
  await updateEntry(tx, entry.id, { status: "connected" });
  if (entry.kind === "live") {
    await updateCall(tx, entry.callSid, { state: "connected", connectedAt: now });
    const call = await findCall(tx, entry.callSid);
    if (call) await closeReached(tx, record, call.fromE164, call.sid, now);
  } else {
    await finishAttemptIn(tx, record, ctx.callbackPolicy, entry.id, "reached", now);
  }
  const agent = entry.agentId ? await findAgent(tx, entry.agentId) : undefined;
  if (agent) await moveAgent(tx, record, agent, "on_call", now, "answered", { currentCallSid: entry.callSid });
  await record({ type: "call.connected", callSid: entry.callSid, userId: entry.agentId, data: { entryId: entry.id, agentLegSid: entry.agentLegSid, kind: entry.kind } });
}

/**
 * The agent's leg left before the caller's joined (a dropped browser, a phone put down): as for an
 * unanswered offer, the agent goes on break and the caller back to the head of the queue. A caller being
 * called back is let go instead, and the attempt counts as failed.
 */
async function agentGoneFirst(ctx: Ctx, tx: Tx, record: RecordEvent, entry: QueueEntry, reason: string, now: number): Promise<void> {
  if (entry.kind === "live") {
    await putBack(tx, record, entry, reason, now);
    // The caller may already be in the conference: they are taken back to the waiting loop.
    await record({ type: "call.requeued", callSid: entry.callSid, data: { entryId: entry.id, reason } });
    return;
  }
  await finishAttemptIn(tx, record, ctx.callbackPolicy, entry.id, "failed", now);
  await updateEntry(tx, entry.id, { status: "done", endedReason: reason });
  const agent = entry.agentId ? await findAgent(tx, entry.agentId) : undefined;
  if (agent?.status === "offered" && agent.currentCallSid === entry.callSid) {
    await moveAgent(tx, record, agent, "break", now, `missed_offer:${reason}`, { currentCallSid: null });
  }
  await record({ type: "offer.missed", callSid: entry.callSid, userId: entry.agentId, data: { entryId: entry.id, reason, agentLegSid: entry.agentLegSid, callbackLegSid: entry.callbackLegSid } });
}

/**
 * The call-back leg to the caller ended before the two met (no answer, busy, a machine, hung up during
 * the greeting): the attempt is recorded, and the agent waiting in the conference is let go, not blamed.
 */
async function callBackEndsIn(ctx: Ctx, tx: Tx, record: RecordEvent, entry: QueueEntry, outcome: AttemptOutcome, now: number): Promise<void> {
  await finishAttemptIn(tx, record, ctx.callbackPolicy, entry.id, outcome, now);
  await updateEntry(tx, entry.id, { status: "done", endedReason: `callback_${outcome}` });
  const agent = entry.agentId ? await findAgent(tx, entry.agentId) : undefined;
  if (agent && agent.status === "offered" && agent.currentCallSid === entry.callSid) {
    await moveAgent(tx, record, agent, "available", now, `callback_${outcome}`, { currentCallSid: null, keepIdleSince: true });
  }
  await record({ type: "offer.withdrawn", callSid: entry.callSid, userId: entry.agentId, data: { entryId: entry.id, agentLegSid: entry.agentLegSid, reason: `callback_${outcome}` } });
}

/** The call-back leg to the caller ended, or could not be placed, before the caller met the agent. */
export async function callBackEnded(ctx: Ctx, entryId: number, outcome: AttemptOutcome): Promise<void> {
  await inTransaction(ctx, async (tx, record) => {
    const entry = await entryById(tx, entryId);
    if (entry?.kind === "virtual" && entry.status === "connecting") await callBackEndsIn(ctx, tx, record, entry, outcome, ctx.clock.now());
  });
}

/**
 * The caller picked up our call-back. A machine (answering-machine detection) is a voicemail attempt: no
 * message is left, since a victim's phone may be watched. A person joins the agent's conference.
 */
export async function callBackAnswered(ctx: Ctx, entryId: number, legSid: string, machine: boolean): Promise<QueueEntry | undefined> {
  return inTransaction(ctx, async (tx, record) => {
    const entry = await entryById(tx, entryId);
    if (entry?.kind !== "virtual" || entry.status !== "connecting") return undefined;
    if (machine) {
      await callBackEndsIn(ctx, tx, record, entry, "voicemail", ctx.clock.now());
      return undefined;
    }
    await updateEntry(tx, entry.id, { callbackLegSid: legSid });
    return { ...entry, callbackLegSid: legSid };
  });
}

/** The agent's leg ended: after a connected call wrap-up starts; before the caller joined, as above. */
export async function agentLegEnded(ctx: Ctx, entryId: number, legSid: string, status: string): Promise<void> {
  await inTransaction(ctx, async (tx, record) => {
    const entry = await entryById(tx, entryId);
    if (!entry || entry.agentLegSid !== legSid) return;
    const now = ctx.clock.now();
    if (entry.status === "connecting") return agentGoneFirst(ctx, tx, record, entry, "agent_leg_ended", now);
    if (entry.status !== "connected") return;
    await updateEntry(tx, entry.id, { status: "done", endedReason: "answered" });
    const agent = entry.agentId ? await findAgent(tx, entry.agentId) : undefined;
    if (agent && (agent.status === "on_call" || agent.status === "offered")) {
      await moveAgent(tx, record, agent, "wrap_up", now, "call_ended", { currentCallSid: entry.callSid });
    }
    await record({ type: "agent.leg_ended", callSid: entry.callSid, userId: entry.agentId, data: { entryId: entry.id, status } });
  });
}
