import { detached } from "../detached.js";
import type { Ctx } from "../events/event-log.js";
import type { Logger } from "../logger.js";
import { transferById } from "../transfers/transfer-service.js";
import { CaseError } from "./case-error.js";
import { createReferral } from "./referral-service.js";

/**
 * A live transfer that reached the agency is a referral of the case it was made for: recorded as one,
 * so it is tracked to its deadline like any other (unless the case already has it open).
 */
export function recordTransfersAsReferrals(ctx: Ctx, log: Logger): () => void {
  return ctx.bus.subscribe((e) => {
    if (e.type !== "transfer.completed") return;
    detached(log, "record a completed transfer as a referral", () => recordAsReferral(ctx, log, Number(e.data.transferId)));
  });
}

async function recordAsReferral(ctx: Ctx, log: Logger, transferId: number): Promise<void> {
  const t = await transferById(ctx.db, transferId);
  if (!t?.caseId) return;
  try {
    await createReferral(ctx, t.caseId, { agencyId: t.agencyId, note: `live ${t.mode} transfer of call ${t.callSid}` }, { id: t.agentId, role: "agent" });
  } catch (err) {
    if (!(err instanceof CaseError)) throw err;
    log.info({ callSid: t.callSid, caseId: t.caseId, reason: err.message }, "transfer not recorded as a new referral");
  }
}
