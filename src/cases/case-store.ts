import { and, asc, desc, eq, inArray, sql, type SQL } from "drizzle-orm";
import { agencies, callbackAttempts, callbacks, calls, caseLinks, cases, referrals } from "../../db/schema.js";
import type { Db } from "../../db/connection.js";
import type { Tx } from "../events/event-log.js";
import type { Role } from "../users/user-store.js";
import { CaseError } from "./case-error.js";
import type { CaseFilter } from "./case-schemas.js";

export type CaseRow = typeof cases.$inferSelect;
export type LinkRow = typeof caseLinks.$inferSelect;
export type ReferralRow = typeof referrals.$inferSelect;
export type Reader = Pick<Tx, "select"> | Db;

/** Who asks: agents work their own cases, supervisors (and admins) all of them. */
export interface Actor {
  id: string;
  role: Role;
}

export const seesAllCases = (actor: Actor) => actor.role !== "agent";
const iso = (ms: number) => new Date(ms).toISOString();

export function caseById(db: Reader, id: number): CaseRow | undefined {
  return db.select().from(cases).where(eq(cases.id, id)).get();
}

/** An agent's own case: one they opened, or one linking a call (or a call-back) they took. */
export function agentTookPart(db: Reader, c: CaseRow, agentId: string): boolean {
  if (c.createdBy === agentId) return true;
  const viaCall = db
    .select({ id: caseLinks.id })
    .from(caseLinks)
    .innerJoin(calls, eq(calls.sid, caseLinks.callSid))
    .where(and(eq(caseLinks.caseId, c.id), eq(calls.agentId, agentId)))
    .get();
  if (viaCall) return true;
  const viaCallback = db
    .select({ id: caseLinks.id })
    .from(caseLinks)
    .innerJoin(callbackAttempts, eq(callbackAttempts.callbackId, caseLinks.callbackId))
    .where(and(eq(caseLinks.caseId, c.id), eq(callbackAttempts.agentId, agentId)))
    .get();
  return viaCallback !== undefined;
}

/** The case, if this actor may work on it. Someone else's case looks like no case at all to an agent. */
export function caseFor(db: Reader, id: number, actor: Actor): CaseRow {
  const c = caseById(db, id);
  if (!c || (!seesAllCases(actor) && !agentTookPart(db, c, actor.id))) throw new CaseError("not_found", `case ${id} not found`);
  return c;
}

/** Each link with what became of its call or call-back. */
export function linksOf(db: Reader, caseId: number) {
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
    .orderBy(asc(caseLinks.id))
    .all();
}

export function referralsOf(db: Reader, caseId: number) {
  return db
    .select({ referral: referrals, agency: { id: agencies.id, name: agencies.name, type: agencies.type, province: agencies.province } })
    .from(referrals)
    .innerJoin(agencies, eq(agencies.id, referrals.agencyId))
    .where(eq(referrals.caseId, caseId))
    .orderBy(asc(referrals.id))
    .all();
}

/** The status of each case's latest referral, null when it has none. */
function latestReferralStatus(db: Reader, caseIds: number[]): Map<number, string> {
  if (!caseIds.length) return new Map();
  const rows = db
    .select({ caseId: referrals.caseId, status: referrals.status })
    .from(referrals)
    .where(and(inArray(referrals.caseId, caseIds), sql`${referrals.id} = (select max(r2.id) from referrals r2 where r2.case_id = ${referrals.caseId})`))
    .all();
  return new Map(rows.map((r) => [r.caseId, r.status]));
}

export function searchCases(db: Reader, filter: CaseFilter) {
  const parts: (SQL | undefined)[] = [
    filter.status ? eq(cases.status, filter.status) : undefined,
    filter.province ? eq(cases.province, filter.province) : undefined,
    filter.category ? eq(cases.category, filter.category) : undefined,
    filter.number ? eq(cases.callerNumber, filter.number) : undefined,
  ];
  const where = and(...parts.filter((p): p is SQL => p !== undefined));
  const rows = db.select().from(cases).where(where).orderBy(desc(cases.createdAt), desc(cases.id)).limit(filter.limit).offset(filter.offset).all();
  const total = db.select({ n: sql<number>`count(*)` }).from(cases).where(where).get()?.n ?? 0;
  const latest = latestReferralStatus(db, rows.map((r) => r.id));
  return { rows: rows.map((r) => ({ ...r, referralStatus: latest.get(r.id) ?? null })), total };
}

const OPEN_CASES_SHOWN = 10;

/** The caller's cases still being worked, newest first, short enough for the screen-pop. */
export function openCasesForNumber(db: Reader, e164: string) {
  const rows = db
    .select()
    .from(cases)
    .where(and(eq(cases.callerNumber, e164), inArray(cases.status, ["open", "referred"])))
    .orderBy(desc(cases.createdAt), desc(cases.id))
    .limit(OPEN_CASES_SHOWN)
    .all();
  const latest = latestReferralStatus(db, rows.map((r) => r.id));
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
