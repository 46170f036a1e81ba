import { and, eq, inArray } from "drizzle-orm";
import { agencies, transfers } from "../../db/schema.js";
import { findCall } from "../calls/call-store.js";
import { inTransaction, type Ctx } from "../events/event-log.js";
import { requeueCaller } from "../queue/queue-service.js";

export type TransferRow = typeof transfers.$inferSelect;
export type TransferMode = TransferRow["mode"];

export class TransferError extends Error {
  constructor(readonly code: "not_found" | "conflict" | "forbidden", message: string) {
    super(message);
  }
}

export function transferById(db: Ctx["db"], id: number): TransferRow | undefined {
  return db.select().from(transfers).where(eq(transfers.id, id)).get();
}

/**
 * An agent hands their live caller to an agency. Warm: the caller is held while the agent briefs the
 * agency, then the agent leaves them together (or takes the caller back). Cold: the agent leaves at once.
 */
export function startTransfer(
  ctx: Ctx,
  input: { callSid: string; agentId: string; agencyId: number; mode: TransferMode; caseId?: number | null },
): TransferRow {
  return inTransaction(ctx, (tx, record) => {
    const call = findCall(tx, input.callSid);
    if (!call) throw new TransferError("not_found", `call ${input.callSid} not found`);
    if (call.state !== "connected") throw new TransferError("conflict", "only a connected call can be transferred");
    if (call.agentId !== input.agentId) throw new TransferError("forbidden", "this is not your call");
    const agency = tx.select().from(agencies).where(eq(agencies.id, input.agencyId)).get();
    if (!agency || !agency.active) throw new TransferError("not_found", `agency ${input.agencyId} not found`);
    if (!agency.endpoint) throw new TransferError("conflict", `agency ${agency.name} has no phone to transfer to`);
    const busy = tx
      .select({ id: transfers.id })
      .from(transfers)
      .where(and(eq(transfers.callSid, call.sid), inArray(transfers.status, ["dialling", "briefing"])))
      .get();
    if (busy) throw new TransferError("conflict", "a transfer of this call is already under way");
    const row = tx
      .insert(transfers)
      .values({ callSid: call.sid, caseId: input.caseId ?? null, agencyId: agency.id, agentId: input.agentId, mode: input.mode, startedAt: ctx.clock.now() })
      .returning()
      .get();
    record({ type: "transfer.started", callSid: call.sid, userId: input.agentId, data: { transferId: row.id, mode: row.mode, agencyId: agency.id, endpoint: agency.endpoint } });
    return row;
  });
}

function move(ctx: Ctx, id: number, from: TransferRow["status"][], to: TransferRow["status"], type: string, extra: Partial<TransferRow> = {}, userId?: string): TransferRow | undefined {
  return inTransaction(ctx, (tx, record) => {
    const t = tx.select().from(transfers).where(eq(transfers.id, id)).get();
    if (!t || !from.includes(t.status)) return undefined;
    if (userId && t.agentId !== userId) throw new TransferError("forbidden", "this is not your transfer");
    const now = ctx.clock.now();
    const ended = to === "completed" || to === "returned" || to === "failed";
    const patch = { status: to, ...extra, ...(ended ? { endedAt: now } : {}) };
    tx.update(transfers).set(patch).where(eq(transfers.id, id)).run();
    record({ type, callSid: t.callSid, userId: t.agentId, data: { transferId: id, mode: t.mode, agencyId: t.agencyId, from: t.status, to, agencyLegSid: patch.agencyLegSid ?? t.agencyLegSid } });
    return { ...t, ...patch };
  });
}

export const setAgencyLeg = (ctx: Ctx, id: number, legSid: string) =>
  ctx.db.update(transfers).set({ agencyLegSid: legSid }).where(eq(transfers.id, id)).run();

/** The agency picked up: a warm transfer moves to briefing; a cold one is done. */
export function agencyAnswered(ctx: Ctx, id: number, legSid: string): TransferRow | undefined {
  const t = transferById(ctx.db, id);
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
export function agencyGone(ctx: Ctx, id: number, status: string): TransferRow | undefined {
  const t = transferById(ctx.db, id);
  if (!t) return undefined;
  if (t.mode === "warm") return move(ctx, id, ["dialling", "briefing"], "returned", "transfer.returned", {});
  const failed = move(ctx, id, ["dialling"], "failed", "transfer.failed", {});
  if (failed) requeueCaller(ctx, t.callSid, `cold_transfer_${status}`);
  return failed;
}

export const completeTransfer = (ctx: Ctx, id: number, agentId: string) => move(ctx, id, ["briefing"], "completed", "transfer.completed", {}, agentId);
export const cancelTransfer = (ctx: Ctx, id: number, agentId: string) => move(ctx, id, ["dialling", "briefing"], "returned", "transfer.returned", {}, agentId);
