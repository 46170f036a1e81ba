import { and, eq } from "drizzle-orm";
import { first, tables } from "../../db/storage.js";
import { findCall } from "../calls/call-store.js";
import { itemById } from "../callbacks/callback-store.js";
import { inTransaction, type Ctx, type RecordEvent, type Tx } from "../events/event-log.js";
import { requireActiveCategories } from "./case-categories.js";
import { CaseError } from "./case-error.js";
import type { CasePatch, NewCase, NewLink } from "./case-schemas.js";
import { caseFor, seesAllCases, type Actor, type CaseRow, type LinkRow } from "./case-store.js";

/** Fields whose values may go into events; people and notes are personal data, so only their change is. */
const PLAIN_FIELDS = ["category", "province", "urgency", "channel"] as const;
const PERSONAL_FIELDS = ["people", "notes"] as const;

export interface Linked {
  link: LinkRow;
  created: boolean;
  case: CaseRow;
}

/**
 * Links a call or a call-back to a case (once). An agent may link only calls they took and call-backs they
 * claimed or made: the link gives the case the caller's number. A case without a number takes the first one linked.
 */
async function attach(tx: Tx, record: RecordEvent, c: CaseRow, link: NewLink, actor: Actor, now: number): Promise<Linked> {
  const { callbackAttempts, caseLinks, cases } = tables(tx);
  let number: string | null = null;
  if (link.callSid !== undefined) {
    const call = await findCall(tx, link.callSid);
    if (!call) throw new CaseError("invalid", `call ${link.callSid} not found`);
    if (!seesAllCases(actor) && call.agentId !== actor.id) throw new CaseError("forbidden", "an agent may link only calls they took");
    number = call.fromE164;
  } else if (link.callbackId !== undefined) {
    const item = await itemById(tx, link.callbackId);
    if (!item) throw new CaseError("invalid", `callback ${link.callbackId} not found`);
    const attempted = first(
      await tx
        .select({ id: callbackAttempts.id })
        .from(callbackAttempts)
        .where(and(eq(callbackAttempts.callbackId, item.id), eq(callbackAttempts.agentId, actor.id)))
        .limit(1),
    );
    if (!seesAllCases(actor) && item.claimedBy !== actor.id && !attempted) {
      throw new CaseError("forbidden", "an agent may link only call-backs they claimed or made");
    }
    number = item.number;
  }
  const same = link.callSid !== undefined ? eq(caseLinks.callSid, link.callSid) : eq(caseLinks.callbackId, link.callbackId!);
  const existing = first(await tx.select().from(caseLinks).where(and(eq(caseLinks.caseId, c.id), same)).limit(1));
  if (existing) return { link: existing, created: false, case: c };
  const row = first(await tx.insert(caseLinks).values({ caseId: c.id, callSid: link.callSid ?? null, callbackId: link.callbackId ?? null, at: now }).returning())!;
  const patch = !c.callerNumber && number ? { callerNumber: number, updatedAt: now } : { updatedAt: now };
  await tx.update(cases).set(patch).where(eq(cases.id, c.id));
  await record({ type: "case.linked", userId: actor.id, callSid: row.callSid, callbackId: row.callbackId, data: { caseId: c.id, linkId: row.id } });
  return { link: row, created: true, case: { ...c, ...patch } };
}

export async function createCase(ctx: Ctx, input: NewCase, actor: Actor): Promise<CaseRow> {
  return inTransaction(ctx, async (tx, record) => {
    const { cases } = tables(tx);
    await requireActiveCategories(tx, [input.category]);
    const now = ctx.clock.now();
    const { callSid, callbackId, ...fields } = input;
    let row = first(await tx.insert(cases).values({ ...fields, status: "open", createdBy: actor.id, createdAt: now, updatedAt: now }).returning())!;
    await record({
      type: "case.created",
      userId: actor.id,
      callSid: callSid ?? null,
      callbackId: callbackId ?? null,
      data: { caseId: row.id, category: row.category, province: row.province, urgency: row.urgency, channel: row.channel },
    });
    if (callSid !== undefined) row = (await attach(tx, record, row, { callSid }, actor, now)).case;
    if (callbackId !== undefined) row = (await attach(tx, record, row, { callbackId }, actor, now)).case;
    return row;
  });
}

export async function updateCase(ctx: Ctx, id: number, patch: CasePatch, actor: Actor): Promise<CaseRow> {
  return inTransaction(ctx, async (tx, record) => {
    const { cases } = tables(tx);
    let c = await caseFor(tx, id, actor);
    if (patch.category !== undefined && patch.category !== c.category) await requireActiveCategories(tx, [patch.category]);
    const now = ctx.clock.now();
    const { callSid, callbackId, status, legalHold, ...fields } = patch;
    if (legalHold !== undefined && legalHold !== c.legalHold) {
      if (!seesAllCases(actor)) throw new CaseError("forbidden", "only a supervisor may put a case on legal hold or lift it");
      c = first(await tx.update(cases).set({ legalHold, updatedAt: now }).where(eq(cases.id, id)).returning()) ?? c;
      await record({ type: "case.legal_hold", userId: actor.id, data: { caseId: id, legalHold } });
    }
    const changes: Record<string, unknown> = {};
    const set: Partial<CaseRow> = {};
    for (const key of PLAIN_FIELDS) {
      const value = fields[key];
      if (value !== undefined && value !== c[key]) {
        changes[key] = { from: c[key], to: value };
        Object.assign(set, { [key]: value });
      }
    }
    for (const key of PERSONAL_FIELDS) {
      const value = fields[key];
      if (value !== undefined && JSON.stringify(value) !== JSON.stringify(c[key])) {
        changes[key] = "changed";
        Object.assign(set, { [key]: value });
      }
    }
    if (Object.keys(set).length) {
      c = first(await tx.update(cases).set({ ...set, updatedAt: now }).where(eq(cases.id, id)).returning()) ?? c;
      await record({ type: "case.updated", userId: actor.id, data: { caseId: id, changes } });
    }
    if (status !== undefined && status !== c.status) {
      const from = c.status;
      c = first(await tx.update(cases).set({ status, updatedAt: now }).where(eq(cases.id, id)).returning()) ?? c;
      await record({ type: status === "closed" ? "case.closed" : "case.reopened", userId: actor.id, data: { caseId: id, from, to: status } });
    }
    if (callSid !== undefined) c = (await attach(tx, record, c, { callSid }, actor, now)).case;
    if (callbackId !== undefined) c = (await attach(tx, record, c, { callbackId }, actor, now)).case;
    return c;
  });
}

export async function linkToCase(ctx: Ctx, id: number, link: NewLink, actor: Actor): Promise<Linked> {
  return inTransaction(ctx, async (tx, record) => attach(tx, record, await caseFor(tx, id, actor), link, actor, ctx.clock.now()));
}
