import { and, eq, inArray, lt, ne, notInArray, or, sql, type SQLWrapper } from "drizzle-orm";
import { jsonText, tables, type Db } from "../../db/storage.js";
import { inTransaction, type Ctx, type RecordEvent, type Tx } from "../events/event-log.js";
import { isPseudonym, pseudonym, PSEUDONYM_PREFIX } from "./pseudonym.js";
import type { Logger } from "../logger.js";
import { detached } from "../detached.js";

/*
 * Where a caller's personal data is stored, and what anonymising it means (README "Personal data"):
 *   calls.from_raw, calls.from_e164      the caller's number        → keyed hash
 *   callbacks.number, callbacks.number_raw                          → keyed hash
 *   cases.caller_number                                             → keyed hash
 *   cases.people, cases.notes                                       → emptied
 *   referrals.note                                                  → emptied
 *   events of type call.disposition: data.note                      → emptied
 * Everything the figures count (outcomes, times, languages, topics, reasons) stays as it was.
 */

const DAY_MS = 86_400_000;

/** Ids of what an anonymisation touches: the preview shows exactly what the run then does. */
export interface AnonymisationPlan {
  calls: string[];
  callbacks: number[];
  cases: number[];
  referrals: number[];
  dispositions: number[];
}

const notHashed = (column: SQLWrapper) => sql`(${column} is not null and ${column} not like ${`${PSEUDONYM_PREFIX}%`})`;

/** Calls and items linked to a case on legal hold are kept whole, like the case. */
async function held(db: Db) {
  const { cases, caseLinks } = tables(db);
  const heldCases = (await db.select({ id: cases.id }).from(cases).where(eq(cases.legalHold, true))).map((c) => c.id);
  if (heldCases.length === 0) return { calls: [] as string[], callbacks: [] as number[], cases: heldCases };
  const links = await db.select({ callSid: caseLinks.callSid, callbackId: caseLinks.callbackId }).from(caseLinks).where(inArray(caseLinks.caseId, heldCases));
  return {
    calls: links.map((l) => l.callSid).filter((s): s is string => s !== null),
    callbacks: links.map((l) => l.callbackId).filter((i): i is number => i !== null),
    cases: heldCases,
  };
}

/** What falls out of the retention window: personal data older than `cutoff`, not on legal hold, not yet anonymised. */
export async function retentionPlan(db: Db, cutoff: number): Promise<AnonymisationPlan> {
  const { calls, callbacks, cases, referrals, events } = tables(db);
  const keep = await held(db);
  const callRows = await db
    .select({ sid: calls.sid })
    .from(calls)
    .where(and(lt(calls.createdAt, cutoff), eq(calls.direction, "inbound"), eq(calls.state, "ended"), or(notHashed(calls.fromRaw), notHashed(calls.fromE164)), notInArray(calls.sid, keep.calls)));
  const itemRows = await db
    .select({ id: callbacks.id })
    .from(callbacks)
    .where(and(lt(callbacks.lastMissedAt, cutoff), notInArray(callbacks.status, ["open", "claimed"]), or(notHashed(callbacks.numberRaw), notHashed(callbacks.number)), notInArray(callbacks.id, keep.callbacks)));
  // `people` is JSON: compared with the text '[]', which SQLite compares as text and PostgreSQL reads as jsonb.
  const caseRows = await db
    .select({ id: cases.id })
    .from(cases)
    .where(and(lt(cases.updatedAt, cutoff), eq(cases.legalHold, false), or(notHashed(cases.callerNumber), ne(cases.notes, ""), sql`${cases.people} <> '[]'`)));
  const referralRows = await db
    .select({ id: referrals.id })
    .from(referrals)
    .where(and(lt(referrals.updatedAt, cutoff), ne(referrals.note, ""), notInArray(referrals.caseId, keep.cases)));
  const dispositionRows = await db
    .select({ id: events.id })
    .from(events)
    .where(and(eq(events.type, "call.disposition"), lt(events.at, cutoff), sql`coalesce(${jsonText(db, events.data, "note")}, '') <> ''`, notInArray(sql`coalesce(${events.callSid}, '')`, keep.calls)));
  return {
    calls: callRows.map((r) => r.sid),
    callbacks: itemRows.map((r) => r.id),
    cases: caseRows.map((r) => r.id),
    referrals: referralRows.map((r) => r.id),
    dispositions: dispositionRows.map((r) => r.id),
  };
}

/** Both engines take far more bound parameters than this; chunks keep one statement's list modest. */
const CHUNK = 500;
function chunks<T>(list: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += CHUNK) out.push(list.slice(i, i + CHUNK));
  return out;
}

/** Carries out a plan in the caller's transaction: numbers hashed with `key`, notes and names emptied. */
export async function anonymise(tx: Tx, key: string, plan: AnonymisationPlan): Promise<void> {
  const { calls, callbacks, cases, referrals, events } = tables(tx);
  const hash = (value: string | null) => (value === null || isPseudonym(value) ? value : pseudonym(key, value));
  for (const sids of chunks(plan.calls)) {
    for (const row of await tx.select({ sid: calls.sid, fromRaw: calls.fromRaw, fromE164: calls.fromE164 }).from(calls).where(inArray(calls.sid, sids))) {
      // The raw form hashes the E.164 form when there is one: every spelling of a number stays one caller.
      await tx.update(calls).set({ fromRaw: hash(row.fromE164 ?? row.fromRaw) ?? "", fromE164: hash(row.fromE164) }).where(eq(calls.sid, row.sid));
    }
  }
  for (const ids of chunks(plan.callbacks)) {
    for (const row of await tx.select({ id: callbacks.id, number: callbacks.number, numberRaw: callbacks.numberRaw }).from(callbacks).where(inArray(callbacks.id, ids))) {
      await tx.update(callbacks).set({ number: hash(row.number), numberRaw: hash(row.number ?? row.numberRaw) ?? "" }).where(eq(callbacks.id, row.id));
    }
  }
  for (const ids of chunks(plan.cases)) {
    for (const row of await tx.select({ id: cases.id, callerNumber: cases.callerNumber }).from(cases).where(inArray(cases.id, ids))) {
      await tx.update(cases).set({ callerNumber: hash(row.callerNumber), people: [], notes: "" }).where(eq(cases.id, row.id));
    }
  }
  for (const ids of chunks(plan.referrals)) await tx.update(referrals).set({ note: "" }).where(inArray(referrals.id, ids));
  // The note is emptied in the event's data, the rest kept: read and written back whole, the same on both engines.
  for (const ids of chunks(plan.dispositions)) {
    for (const row of await tx.select({ id: events.id, data: events.data }).from(events).where(inArray(events.id, ids))) {
      await tx.update(events).set({ data: { ...row.data, note: "" } }).where(eq(events.id, row.id));
    }
  }
}

export const planCounts = (plan: AnonymisationPlan) => Object.fromEntries(Object.entries(plan).map(([k, v]) => [k, v.length]));

/** The daily run: everything older than the window, anonymised in one transaction with its event. */
export function runRetention(ctx: Ctx, key: string, retentionDays: number): Promise<AnonymisationPlan> {
  // The window ends when the run is due, not when its transaction gets the write lock (later, by a wait
  // for other writers or, on PostgreSQL, by round trips): what the run takes does not depend on that wait.
  const cutoff = ctx.clock.now() - retentionDays * DAY_MS;
  return inTransaction(ctx, async (tx, record) => {
    const plan = await retentionPlan(tx, cutoff);
    await anonymise(tx, key, plan);
    await record({ type: "privacy.anonymised", data: { cutoff, ...planCounts(plan) } });
    return plan;
  });
}

export async function recordErasureEvent(record: RecordEvent, userId: string | undefined, subject: string, plan: AnonymisationPlan, extra: Record<string, unknown>): Promise<void> {
  await record({ type: "audit.caller_erased", userId, data: { subject, ...planCounts(plan), ...extra } });
}


/** The daily job, on the injected clock: once at start (a server down for a day catches up), then every day. */
export function scheduleRetention(ctx: Ctx, key: string, retentionDays: number, log: Logger): () => void {
  let cancel = () => {};
  // A run may still be in progress when the job is stopped: it then sets no further timer.
  let stopped = false;
  // Runs are due a day apart from the first, however long each takes (on PostgreSQL a run spans round
  // trips): the next is timed from when this one was due, not from when it finished, so the schedule does
  // not drift. A run due while the server could not run it is not made up twice: the next covers it.
  let due = ctx.clock.now();
  const tick = async () => {
    try {
      const plan = await runRetention(ctx, key, retentionDays);
      const counts = planCounts(plan);
      if (Object.values(counts).some((n) => n > 0)) log.info({ ...counts }, "anonymised personal data older than the retention window");
    } catch (err) {
      log.error({ err: (err as Error).message }, "retention run failed; will try again tomorrow");
    }
    if (stopped) return;
    const now = ctx.clock.now();
    due += DAY_MS;
    while (due <= now) due += DAY_MS;
    cancel = ctx.clock.setTimer(due - now, () => detached(log, "retention run", tick));
  };
  detached(log, "retention run", tick);
  return () => {
    stopped = true;
    cancel();
  };
}
