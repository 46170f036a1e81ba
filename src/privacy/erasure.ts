import { and, eq, inArray, ne, or, sql } from "drizzle-orm";
import { tables } from "../../db/storage.js";
import { inTransaction, type Ctx } from "../events/event-log.js";
import { anonymise, planCounts, recordErasureEvent, type AnonymisationPlan } from "./retention.js";
import { pseudonym } from "./pseudonym.js";

export interface ErasureResult {
  /** The number's keyed hash: what the audit trail and the anonymised rows now hold. */
  subject: string;
  erased: Record<string, number>;
  /** Cases on legal hold that name this caller: kept whole, as the hold requires. */
  heldCases: number[];
  /** Calls of this number still live: left alone until they end (a caller on the line is never cut off). */
  liveCalls: number;
}

/**
 * A caller asks to be forgotten (PDPA): every place their number or notes about them are stored is
 * anonymised at once, whatever its age; an open callback item is closed as not callable (there is no
 * number left to call). Counts and outcomes stay, so the figures do not change.
 */
export function eraseCaller(ctx: Ctx, key: string, e164: string, raw: string, userId: string | undefined): Promise<ErasureResult> {
  return inTransaction(ctx, async (tx, record) => {
    const { callbacks, calls, caseLinks, cases, events, queueEntries, referrals } = tables(tx);
    const now = ctx.clock.now();
    const numberMatches = or(eq(calls.fromE164, e164), eq(calls.fromRaw, raw));
    const callRows = await tx.select({ sid: calls.sid, state: calls.state }).from(calls).where(numberMatches);
    const ended = callRows.filter((c) => c.state === "ended").map((c) => c.sid);
    const items = await tx.select({ id: callbacks.id, status: callbacks.status }).from(callbacks).where(or(eq(callbacks.number, e164), eq(callbacks.numberRaw, raw)));
    // Their cases: opened with their number, or linked to one of their calls or call-backs.
    const linked = (
      await tx
        .select({ caseId: caseLinks.caseId })
        .from(caseLinks)
        .where(or(inArray(sql`coalesce(${caseLinks.callSid}, '')`, callRows.map((c) => c.sid)), inArray(sql`coalesce(${caseLinks.callbackId}, 0)`, items.map((i) => i.id))))
    ).map((l) => l.caseId);
    const caseRows = await tx.select({ id: cases.id, legalHold: cases.legalHold }).from(cases).where(or(eq(cases.callerNumber, e164), inArray(cases.id, linked)));
    const heldCases = caseRows.filter((c) => c.legalHold).map((c) => c.id);
    const freeCases = caseRows.filter((c) => !c.legalHold).map((c) => c.id);
    const heldCalls = heldCases.length ? (await tx.select({ sid: caseLinks.callSid }).from(caseLinks).where(inArray(caseLinks.caseId, heldCases))).map((l) => l.sid) : [];
    const erasable = ended.filter((sid) => !heldCalls.includes(sid));
    for (const item of items.filter((i) => i.status === "open" || i.status === "claimed")) {
      await tx.update(callbacks).set({ status: "not_callable", closedAt: now, claimedBy: null, claimExpiresAt: null, nextAttemptAt: null }).where(eq(callbacks.id, item.id));
      // A kept place in the queue would call the number back: it goes too.
      await tx.update(queueEntries).set({ status: "done", endedReason: "caller_erased" }).where(and(eq(queueEntries.callbackId, item.id), eq(queueEntries.status, "waiting")));
      await record({ type: "callback.closed", callbackId: item.id, userId, data: { status: "not_callable", by: "erasure" } });
    }
    const plan: AnonymisationPlan = {
      calls: erasable,
      callbacks: items.map((i) => i.id),
      cases: freeCases,
      referrals: freeCases.length
        ? (await tx.select({ id: referrals.id }).from(referrals).where(and(inArray(referrals.caseId, freeCases), ne(referrals.note, "")))).map((r) => r.id)
        : [],
      dispositions: erasable.length
        ? (await tx.select({ id: events.id }).from(events).where(and(eq(events.type, "call.disposition"), inArray(sql`${events.callSid}`, erasable)))).map((e) => e.id)
        : [],
    };
    await anonymise(tx, key, plan);
    const subject = pseudonym(key, e164);
    const liveCalls = callRows.length - ended.length;
    await recordErasureEvent(record, userId, subject, plan, { heldCases, liveCalls });
    return { subject, erased: planCounts(plan), heldCases, liveCalls };
  });
}
