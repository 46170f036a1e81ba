import { and, asc, eq, inArray, lte, min, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { countAll, first, tables, type Tables } from "../../db/storage.js";
import { inTransaction, type Ctx } from "../events/event-log.js";
import { NOTE_MAX_CHARS, NOTE_TOO_LONG } from "../note-length.js";
import { activeAgencies, agencyById } from "./agency-directory.js";
import { CaseError } from "./case-error.js";
import { caseFor, referralsOf, type Actor, type CaseRow, type Reader, type ReferralRow } from "./case-store.js";
import { suggestAgency } from "./referral-rule.js";
import { allowedNext, canMove, isOpenReferral, OPEN_REFERRAL_STATUSES, REFERRAL_STATUSES, referralDueAt } from "./referral-status.js";

export const newReferralSchema = z.strictObject({
  /** Absent: the suggested agency. */
  agencyId: z.number().int().positive().optional(),
  note: z.string().trim().max(NOTE_MAX_CHARS, NOTE_TOO_LONG).optional(),
});

export const referralPatchSchema = z.strictObject({
  status: z.enum(REFERRAL_STATUSES),
  note: z.string().trim().min(1).max(NOTE_MAX_CHARS, NOTE_TOO_LONG).optional(),
});

export const referralFilterSchema = z.object({
  status: z.enum(REFERRAL_STATUSES).optional(),
  overdue: z.enum(["true", "false"]).transform((v) => v === "true").optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

/** The rule's suggestion for a case, from the directory's active agencies. */
export const suggestionFor = async (db: Reader, c: Pick<CaseRow, "category" | "urgency" | "province">) => suggestAgency(c, await activeAgencies(db));

export async function referralById(db: Reader, id: number): Promise<ReferralRow | undefined> {
  const { referrals } = tables(db);
  return first(await db.select().from(referrals).where(eq(referrals.id, id)));
}

/**
 * Refers a case to an agency: the suggested one unless the agent picked another, and both are kept so an
 * override can be reviewed. The agency has the configured REFERRAL_DUE_HOURS to act before the referral is overdue.
 */
export async function createReferral(ctx: Ctx, caseId: number, input: z.infer<typeof newReferralSchema>, actor: Actor): Promise<ReferralRow> {
  return inTransaction(ctx, async (tx, record) => {
    const { cases, referrals } = tables(tx);
    const c = await caseFor(tx, caseId, actor);
    if (c.status === "closed") throw new CaseError("conflict", `case ${caseId} is closed: reopen it to refer it`);
    const suggestion = await suggestionFor(tx, c);
    let agencyId = input.agencyId;
    if (agencyId === undefined) {
      if (!suggestion.agency) throw new CaseError("conflict", `no agency to suggest: ${suggestion.reason} Choose one with agencyId.`);
      agencyId = suggestion.agency.id;
    } else {
      const agency = await agencyById(tx, agencyId);
      if (!agency || !agency.active) throw new CaseError("invalid", `agency ${agencyId} not found or not active`);
    }
    const pending = (await referralsOf(tx, caseId)).find((r) => r.referral.agencyId === agencyId && isOpenReferral(r.referral.status));
    if (pending) throw new CaseError("conflict", `case ${caseId} already has an open referral (${pending.referral.id}) to ${pending.agency.name}`);
    const now = ctx.clock.now();
    const inserted = await tx
      .insert(referrals)
      .values({
        caseId,
        agencyId,
        suggestedAgencyId: suggestion.agency?.id ?? null,
        rule: suggestion.rule,
        status: "sent",
        dueAt: referralDueAt(now, ctx.referralDueHours),
        note: input.note ?? "",
        createdBy: actor.id,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    const row = first(inserted)!;
    if (c.status !== "referred") await tx.update(cases).set({ status: "referred", updatedAt: now }).where(eq(cases.id, caseId));
    await record({
      type: "referral.created",
      userId: actor.id,
      data: { caseId, referralId: row.id, agencyId, suggestedAgencyId: row.suggestedAgencyId, rule: row.rule, overridden: wasOverridden(row), dueAt: row.dueAt },
    });
    return row;
  });
}

/** The agent chose another agency than the rule's. */
export const wasOverridden = (r: Pick<ReferralRow, "agencyId" | "suggestedAgencyId">) => r.suggestedAgencyId !== null && r.suggestedAgencyId !== r.agencyId;

/**
 * What the agency reported back. Notes are kept as a running log. A returned referral gives the case back
 * to the hotline: the case is open again unless another referral is still with an agency.
 */
export async function moveReferral(ctx: Ctx, id: number, input: z.infer<typeof referralPatchSchema>, actor: Actor): Promise<ReferralRow> {
  return inTransaction(ctx, async (tx, record) => {
    const { cases, referrals } = tables(tx);
    const r = await referralById(tx, id);
    if (!r) throw new CaseError("not_found", `referral ${id} not found`);
    const c = await caseFor(tx, r.caseId, actor);
    const now = ctx.clock.now();
    const note = input.note ? [r.note, `${new Date(now).toISOString()} ${input.status}: ${input.note}`].filter(Boolean).join("\n") : r.note;
    if (input.status === r.status) {
      if (note === r.note) return r;
      const row = first(await tx.update(referrals).set({ note, updatedAt: now }).where(eq(referrals.id, id)).returning()) ?? r;
      await record({ type: "referral.noted", userId: actor.id, data: { caseId: r.caseId, referralId: id } });
      return row;
    }
    if (!canMove(r.status, input.status)) {
      const next = allowedNext(r.status);
      throw new CaseError("conflict", `a ${r.status} referral cannot become ${input.status}${next.length ? ` (it can become ${next.join(", ")})` : ": it is finished"}`);
    }
    const row = first(await tx.update(referrals).set({ status: input.status, note, updatedAt: now }).where(eq(referrals.id, id)).returning()) ?? r;
    await record({ type: "referral.status_changed", userId: actor.id, data: { caseId: r.caseId, referralId: id, agencyId: r.agencyId, from: r.status, to: input.status, noted: note !== r.note } });
    if (input.status === "returned" && c.status === "referred") {
      const stillOut = (await referralsOf(tx, c.id)).some((x) => x.referral.id !== id && isOpenReferral(x.referral.status));
      if (!stillOut) {
        await tx.update(cases).set({ status: "open", updatedAt: now }).where(eq(cases.id, c.id));
        await record({ type: "case.reopened", userId: actor.id, data: { caseId: c.id, from: "referred", to: "open", referralId: id } });
      }
    }
    return row;
  });
}

function referralWhere(referrals: Tables["referrals"], filter: { status?: ReferralRow["status"]; overdue?: boolean }, now: number): SQL | undefined {
  const open = inArray(referrals.status, [...OPEN_REFERRAL_STATUSES]);
  const parts: (SQL | undefined)[] = [
    filter.status ? eq(referrals.status, filter.status) : undefined,
    filter.overdue === true ? and(open, lte(referrals.dueAt, now)) : undefined,
    filter.overdue === false ? sql`not (${open} and ${referrals.dueAt} <= ${now})` : undefined,
  ];
  return and(...parts.filter((p): p is SQL => p !== undefined));
}

/** Referrals for the escalation desk, the longest overdue first. */
export async function listReferrals(db: Reader, filter: z.infer<typeof referralFilterSchema>, now: number) {
  const { agencies, cases, referrals } = tables(db);
  const where = referralWhere(referrals, filter, now);
  const rows = await db
    .select({
      referral: referrals,
      agency: { id: agencies.id, name: agencies.name, type: agencies.type, province: agencies.province },
      case: { id: cases.id, category: cases.category, province: cases.province, urgency: cases.urgency, status: cases.status },
    })
    .from(referrals)
    .innerJoin(agencies, eq(agencies.id, referrals.agencyId))
    .innerJoin(cases, eq(cases.id, referrals.caseId))
    .where(where)
    .orderBy(asc(referrals.dueAt), asc(referrals.id))
    .limit(filter.limit)
    .offset(filter.offset);
  const total = first(await db.select({ n: countAll() }).from(referrals).where(where))?.n ?? 0;
  return { rows, total };
}

/** The wallboard's two referral figures: still with an agency, and past their deadline. */
export async function referralFigures(db: Reader, now: number): Promise<{ open: number; overdue: number }> {
  const { referrals } = tables(db);
  const row = first(
    await db
      .select({
        open: countAll(),
        overdue: sql<number>`coalesce(sum(case when ${referrals.dueAt} <= ${now} then 1 else 0 end), 0)`.mapWith(Number),
      })
      .from(referrals)
      .where(inArray(referrals.status, [...OPEN_REFERRAL_STATUSES])),
  );
  return { open: row?.open ?? 0, overdue: row?.overdue ?? 0 };
}

/** When the next open referral passes its deadline: the wallboard is told the moment it does. */
export async function nextReferralDeadline(db: Reader, now: number): Promise<number | undefined> {
  const { referrals } = tables(db);
  const row = first(
    await db
      .select({ at: min(referrals.dueAt) })
      .from(referrals)
      .where(and(inArray(referrals.status, [...OPEN_REFERRAL_STATUSES]), sql`${referrals.dueAt} > ${now}`)),
  );
  return row?.at ?? undefined;
}
