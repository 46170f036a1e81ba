import { and, eq, inArray } from "drizzle-orm";
import { first, tables, type Db, type Tables } from "../../db/storage.js";
import { attemptsOf } from "../callbacks/callback-store.js";
import { findCall } from "../calls/call-store.js";
import { entryForCall } from "../queue/queue-store.js";
import { inTransaction, type Ctx } from "../events/event-log.js";
import { requeueCaller } from "../queue/queue-service.js";

export type TransferRow = Tables["transfers"]["$inferSelect"];
export type TransferMode = TransferRow["mode"];

export class TransferError extends Error {
  constructor(readonly code: "not_found" | "conflict" | "forbidden", message: string) {
    super(message);
  }
}

export async function transferById(db: Db, id: number): Promise<TransferRow | undefined> {
  const { transfers } = tables(db);
  return first(await db.select().from(transfers).where(eq(transfers.id, id)));
}

/**
 * The conversation an agent is having under a call SID: the caller who rang in, or a caller the agent
 * called back (then the SID is the missed call's, and the caller is on the leg the hotline placed).
 */
export interface Conversation {
  agentId: string | null;
  /** The caller's own leg in the conference named after the call SID. */
  callerLeg: string;
  callBack: boolean;
}

export async function liveConversation(db: Db, callSid: string): Promise<Conversation | undefined> {
  const call = await findCall(db, callSid);
  if (!call) return undefined;
  if (call.state === "connected") return { agentId: call.agentId, callerLeg: call.sid, callBack: false };
  const entry = await entryForCall(db, callSid);
  if (entry?.kind !== "virtual" || entry.status !== "connected" || !entry.callbackLegSid) return undefined;
  // Connected to the agent is not enough: the caller must have picked up.
  const reached = entry.callbackId !== null && (await attemptsOf(db, entry.callbackId)).some((a) => a.entryId === entry.id && a.outcome === "reached");
  return reached ? { agentId: entry.agentId, callerLeg: entry.callbackLegSid, callBack: true } : undefined;
}

/**
 * An agent hands their live caller to an agency. Warm: the caller is held while the agent briefs the
 * agency, then the agent leaves them together (or takes the caller back). Cold: the agent leaves at once.
 */
export async function startTransfer(
  ctx: Ctx,
  input: { callSid: string; agentId: string; agencyId: number; mode: TransferMode; caseId?: number | null },
): Promise<TransferRow> {
  return inTransaction(ctx, async (tx, record) => {
    const { agencies, transfers } = tables(tx);
    const call = await findCall(tx, input.callSid);
    if (!call) throw new TransferError("not_found", `call ${input.callSid} not found`);
    const live = await liveConversation(tx, call.sid);
    if (!live) throw new TransferError("conflict", "only a connected call can be transferred");
    if (live.agentId !== input.agentId) throw new TransferError("forbidden", "this is not your call");
    // A called-back caller has no place in the queue to fall back to if the agency does not answer, so
    // their counsellor stays on the line until the agency does.
    if (live.callBack && input.mode === "cold") throw new TransferError("conflict", "a call-back is transferred warm: stay on the line until the agency answers");
    const agency = first(await tx.select().from(agencies).where(eq(agencies.id, input.agencyId)));
    if (!agency || !agency.active) throw new TransferError("not_found", `agency ${input.agencyId} not found`);
    if (!agency.endpoint) throw new TransferError("conflict", `agency ${agency.name} has no phone to transfer to`);
    const busy = first(
      await tx
        .select({ id: transfers.id })
        .from(transfers)
        .where(and(eq(transfers.callSid, call.sid), inArray(transfers.status, ["dialling", "briefing"])))
        .limit(1),
    );
    if (busy) throw new TransferError("conflict", "a transfer of this call is already under way");
    const [row] = await tx
      .insert(transfers)
      .values({ callSid: call.sid, caseId: input.caseId ?? null, agencyId: agency.id, agentId: input.agentId, mode: input.mode, startedAt: ctx.clock.now() })
      .returning();
    await record({ type: "transfer.started", callSid: call.sid, userId: input.agentId, data: { transferId: row!.id, mode: row!.mode, agencyId: agency.id, endpoint: agency.endpoint } });
    return row!;
  });
}

async function move(ctx: Ctx, id: number, from: TransferRow["status"][], to: TransferRow["status"], type: string, extra: Partial<TransferRow> = {}, userId?: string): Promise<TransferRow | undefined> {
  return inTransaction(ctx, async (tx, record) => {
    const { transfers } = tables(tx);
    const t = first(await tx.select().from(transfers).where(eq(transfers.id, id)));
    if (!t || !from.includes(t.status)) return undefined;
    if (userId && t.agentId !== userId) throw new TransferError("forbidden", "this is not your transfer");
    const now = ctx.clock.now();
    const ended = to === "completed" || to === "returned" || to === "failed";
    const patch = { status: to, ...extra, ...(ended ? { endedAt: now } : {}) };
    await tx.update(transfers).set(patch).where(eq(transfers.id, id));
    await record({ type, callSid: t.callSid, userId: t.agentId, data: { transferId: id, mode: t.mode, agencyId: t.agencyId, from: t.status, to, agencyLegSid: patch.agencyLegSid ?? t.agencyLegSid } });
    return { ...t, ...patch };
  });
}

export const setAgencyLeg = (ctx: Ctx, id: number, legSid: string): Promise<void> =>
  inTransaction(ctx, async (tx) => {
    const { transfers } = tables(tx);
    await tx.update(transfers).set({ agencyLegSid: legSid }).where(eq(transfers.id, id));
  });

/** The agency picked up: a warm transfer moves to briefing; a cold one is done. */
export async function agencyAnswered(ctx: Ctx, id: number, legSid: string): Promise<TransferRow | undefined> {
  const t = await transferById(ctx.db, id);
  if (!t) return undefined;
  const now = ctx.clock.now();
  return t.mode === "warm"
    ? move(ctx, id, ["dialling"], "briefing", "transfer.answered", { answeredAt: now, agencyLegSid: legSid })
    : move(ctx, id, ["dialling"], "completed", "transfer.completed", { answeredAt: now, agencyLegSid: legSid });
}

/**
 * The agency did not answer, refused, or hung up while being briefed. Warm: the caller goes back to the
 * same agent. Cold: the agent has gone, so the caller goes back to the head of the queue.
 */
export async function agencyGone(ctx: Ctx, id: number, status: string): Promise<TransferRow | undefined> {
  const t = await transferById(ctx.db, id);
  if (!t) return undefined;
  if (t.mode === "warm") return move(ctx, id, ["dialling", "briefing"], "returned", "transfer.returned", {});
  const failed = await move(ctx, id, ["dialling"], "failed", "transfer.failed", {});
  if (failed) await requeueCaller(ctx, t.callSid, `cold_transfer_${status}`);
  return failed;
}

export const completeTransfer = (ctx: Ctx, id: number, agentId: string) => move(ctx, id, ["briefing"], "completed", "transfer.completed", {}, agentId);
export const cancelTransfer = (ctx: Ctx, id: number, agentId: string) => move(ctx, id, ["dialling", "briefing"], "returned", "transfer.returned", {}, agentId);
