import { and, asc, desc, eq, inArray, sql, type SQL } from "drizzle-orm";
import { countAll, first, tables, type Db, type Tables } from "../../db/storage.js";
import type { Role } from "../users/user-store.js";
import { CaseError } from "./case-error.js";
import type { CaseFilter } from "./case-schemas.js";

export type CaseRow = Tables["cases"]["$inferSelect"];
export type LinkRow = Tables["caseLinks"]["$inferSelect"];
export type ReferralRow = Tables["referrals"]["$inferSelect"];
/** A handle to read through: the database, or a transaction on it. */
export type Reader = Db;

/** Who asks: agents work their own cases, supervisors (and admins) all of them. */
export interface Actor {
  id: string;
  role: Role;
}

export const seesAllCases = (actor: Actor) => actor.role !== "agent";
const iso = (ms: number) => new Date(ms).toISOString();

export async function caseById(db: Reader, id: number): Promise<CaseRow | undefined> {
  const { cases } = tables(db);
  return first(await db.select().from(cases).where(eq(cases.id, id)));
}

/** An agent's own case: one they opened, or one linking a call (or a call-back) they took. */
export async function agentTookPart(db: Reader, c: CaseRow, agentId: string): Promise<boolean> {
  if (c.createdBy === agentId) return true;
  const { callbackAttempts, calls, caseLinks } = tables(db);
  const viaCall = first(
    await db
      .select({ id: caseLinks.id })
      .from(caseLinks)
      .innerJoin(calls, eq(calls.sid, caseLinks.callSid))
      .where(and(eq(caseLinks.caseId, c.id), eq(calls.agentId, agentId)))
      .limit(1),
  );
  if (viaCall) return true;
  const viaCallback = first(
    await db
      .select({ id: caseLinks.id })
      .from(caseLinks)
      .innerJoin(callbackAttempts, eq(callbackAttempts.callbackId, caseLinks.callbackId))
      .where(and(eq(caseLinks.caseId, c.id), eq(callbackAttempts.agentId, agentId)))
      .limit(1),
  );
  return viaCallback !== undefined;
}

/** The case, if this actor may work on it. Someone else's case looks like no case at all to an agent. */
export async function caseFor(db: Reader, id: number, actor: Actor): Promise<CaseRow> {
  const c = await caseById(db, id);
  if (!c || (!seesAllCases(actor) && !(await agentTookPart(db, c, actor.id)))) throw new CaseError("not_found", `case ${id} not found`);
  return c;
}

/** Each link with what became of its call or call-back. */
export async function linksOf(db: Reader, caseId: number) {
  const { callbacks, calls, caseLinks } = tables(db);
  return db
    .select({
      id: caseLinks.id,
      at: caseLinks.at,
      callSid: caseLinks.callSid,
      callbackId: caseLinks.callbackId,
      callOutcome: calls.outcome,
      callState: calls.state,
      callAt: calls.createdAt,
      callAgentId: calls.agentId,
      callbackStatus: callbacks.status,
      callbackReason: callbacks.reason,
    })
    .from(caseLinks)
    .leftJoin(calls, eq(calls.sid, caseLinks.callSid))
    .leftJoin(callbacks, eq(callbacks.id, caseLinks.callbackId))
    .where(eq(caseLinks.caseId, caseId))
    .orderBy(asc(caseLinks.id));
}

export async function referralsOf(db: Reader, caseId: number) {
  const { agencies, referrals } = tables(db);
  return db
    .select({ referral: referrals, agency: { id: agencies.id, name: agencies.name, type: agencies.type, province: agencies.province } })
    .from(referrals)
    .innerJoin(agencies, eq(agencies.id, referrals.agencyId))
    .where(eq(referrals.caseId, caseId))
    .orderBy(asc(referrals.id));
}

/** The status of each case's latest referral, null when it has none. */
async function latestReferralStatus(db: Reader, caseIds: number[]): Promise<Map<number, string>> {
  if (!caseIds.length) return new Map();
  const { referrals } = tables(db);
  const rows = await db
    .select({ caseId: referrals.caseId, status: referrals.status })
    .from(referrals)
    .where(and(inArray(referrals.caseId, caseIds), sql`${referrals.id} = (select max(r2.id) from referrals r2 where r2.case_id = ${referrals.caseId})`));
  return new Map(rows.map((r) => [r.caseId, r.status]));
}

export async function searchCases(db: Reader, filter: CaseFilter) {
  const { cases } = tables(db);
  const parts: (SQL | undefined)[] = [
    filter.status ? eq(cases.status, filter.status) : undefined,
    filter.province ? eq(cases.province, filter.province) : undefined,
    filter.category ? eq(cases.category, filter.category) : undefined,
    filter.number ? eq(cases.callerNumber, filter.number) : undefined,
  ];
  const where = and(...parts.filter((p): p is SQL => p !== undefined));
  const rows = await db.select().from(cases).where(where).orderBy(desc(cases.createdAt), desc(cases.id)).limit(filter.limit).offset(filter.offset);
  const total = first(await db.select({ n: countAll() }).from(cases).where(where))?.n ?? 0;
  const latest = await latestReferralStatus(db, rows.map((r) => r.id));
  return { rows: rows.map((r) => ({ ...r, referralStatus: latest.get(r.id) ?? null })), total };
}

const OPEN_CASES_SHOWN = 10;

/** The caller's cases still being worked, newest first, short enough for the screen-pop. */
export async function openCasesForNumber(db: Reader, e164: string) {
  const { cases } = tables(db);
  const rows = await db
    .select()
    .from(cases)
    .where(and(eq(cases.callerNumber, e164), inArray(cases.status, ["open", "referred"])))
    .orderBy(desc(cases.createdAt), desc(cases.id))
    .limit(OPEN_CASES_SHOWN);
  const latest = await latestReferralStatus(db, rows.map((r) => r.id));
  return rows.map((c) => ({
    id: c.id,
    category: c.category,
    province: c.province,
    urgency: c.urgency,
    status: c.status,
    createdAt: iso(c.createdAt),
    referralStatus: latest.get(c.id) ?? null,
  }));
}
