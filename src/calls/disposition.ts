import { and, desc, eq, or } from "drizzle-orm";
import { first, tables } from "../../db/storage.js";
import { inTransaction, type Ctx, type Tx } from "../events/event-log.js";
import type { ClientMessage } from "../realtime/messages.js";
import { correctLastAttemptIn } from "../callbacks/callback-service.js";
import { findCall } from "./call-store.js";

type Disposition = Extract<ClientMessage, { type: "disposition" }>;

export type DispositionResult = { ok: true; replaced: boolean } | { ok: false };

/**
 * Whether this agent talked on this call: the caller they answered (and may have transferred), or the
 * caller they called back, whose call-back works under the missed call's SID as the screen-pop showed it.
 */
async function handledBy(tx: Tx, callSid: string, agentId: string, answeredBy: string | null): Promise<boolean> {
  if (answeredBy === agentId) return true;
  const { queueEntries } = tables(tx);
  const talked = or(eq(queueEntries.status, "connected"), eq(queueEntries.endedReason, "answered"));
  const rows = await tx
    .select({ id: queueEntries.id })
    .from(queueEntries)
    .where(and(eq(queueEntries.callSid, callSid), eq(queueEntries.agentId, agentId), talked))
    .limit(1);
  return Boolean(first(rows));
}

/**
 * The agent's wrap-up of a call: one per call, a second replacing the first (the replaced one stays in
 * the trail, marked). A call-back the agent marks silent did not reach the caller after all: its
 * attempt becomes unanswered and the item stays open on the retry schedule.
 */
export function recordDisposition(ctx: Ctx, user: { id: string; role: string }, d: Disposition): Promise<DispositionResult> {
  return inTransaction(ctx, async (tx, record): Promise<DispositionResult> => {
    const { callbackAttempts, events, queueEntries } = tables(tx);
    const call = await findCall(tx, d.callSid);
    if (!call || (user.role === "agent" && !(await handledBy(tx, call.sid, user.id, call.agentId)))) return { ok: false };
    const previous = first(
      await tx
        .select({ id: events.id })
        .from(events)
        .where(and(eq(events.callSid, call.sid), eq(events.type, "call.disposition")))
        .orderBy(desc(events.id))
        .limit(1),
    );
    await record({
      type: "call.disposition",
      callSid: call.sid,
      userId: user.id,
      data: { outcome: d.outcome, topic: d.topic ?? call.topic, note: d.note ?? "", ...(previous ? { replaces: previous.id } : {}) },
    });
    if (d.outcome === "silent_call") {
      const attempt = first(
        await tx
          .select({ callbackId: callbackAttempts.callbackId, agentId: callbackAttempts.agentId, outcome: callbackAttempts.outcome })
          .from(callbackAttempts)
          .innerJoin(queueEntries, eq(queueEntries.id, callbackAttempts.entryId))
          .where(eq(queueEntries.callSid, call.sid))
          .orderBy(desc(callbackAttempts.id))
          .limit(1),
      );
      if (attempt?.outcome === "reached") await correctLastAttemptIn(tx, record, ctx.callbackPolicy, attempt.callbackId, user, "no_answer", ctx.clock.now());
    }
    return { ok: true, replaced: Boolean(previous) };
  });
}
