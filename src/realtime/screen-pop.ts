import { and, desc, eq, ne, sql } from "drizzle-orm";
import { executed, prepared } from "../../db/prepared.js";
import { first, tables, type Db } from "../../db/storage.js";
import { findCall, type CallRow } from "../calls/call-store.js";
import { itemById, openItemForNumber } from "../callbacks/callback-store.js";
import { publicItem } from "../callbacks/callback-view.js";
import { openCasesForNumber } from "../cases/case-store.js";
import { linesInUse } from "../lines/line-capacity.js";
import { entryForCall } from "../queue/queue-store.js";
import type { ScreenPop } from "./messages.js";

const iso = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString());
/** The last 20 calls, each note cut to 400 characters: a screen-pop stays well under 64 KB, however long the history. */
const HISTORY_LIMIT = 20;
const HISTORY_NOTE_CHARS = 400;

/** A note as the history shows it; the whole one stays in the call's trail. */
function shortNote(note: unknown): { note?: string; noteTruncated?: true } {
  if (typeof note !== "string") return {};
  const chars = [...note];
  return chars.length <= HISTORY_NOTE_CHARS ? { note } : { note: `${chars.slice(0, HISTORY_NOTE_CHARS - 1).join("")}…`, noteTruncated: true };
}

/** Earlier calls of the same number, newest first, with what earlier agents recorded about them. */
async function earlierCalls(db: Db, call: CallRow) {
  if (!call.fromE164) return [];
  const { calls, events, users } = tables(db);
  const earlierQuery = prepared(db, "earlierCalls", () =>
    db
      .select()
      .from(calls)
      .where(and(eq(calls.fromE164, sql.placeholder("number")), ne(calls.sid, sql.placeholder("sid")), eq(calls.direction, "inbound")))
      .orderBy(desc(calls.createdAt))
      .limit(HISTORY_LIMIT)
      .prepare("earlierCalls"),
  );
  const earlier = await executed(earlierQuery, { number: call.fromE164, sid: call.sid });
  // Only the latest disposition of each call counts (a later one replaces the earlier): read just that
  // one, so however many were sent, a screen-pop costs one indexed lookup per earlier call.
  const latestDisposition = prepared(db, "latestDisposition", () =>
    db
      .select({ at: events.at, data: events.data, agentId: events.userId, agentName: users.name })
      .from(events)
      .leftJoin(users, eq(users.id, events.userId))
      .where(and(eq(events.callSid, sql.placeholder("sid")), eq(events.type, "call.disposition")))
      .orderBy(desc(events.id))
      .limit(1)
      .prepare("latestDisposition"),
  );
  const latest = new Map<string, Awaited<ReturnType<typeof latestDisposition.execute>>[number] | undefined>();
  for (const c of earlier) latest.set(c.sid, first(await executed(latestDisposition, { sid: c.sid })));
  return earlier.map((c) => ({
    kind: "call" as const,
    callSid: c.sid,
    at: iso(c.createdAt),
    language: c.language,
    topic: c.topic,
    priority: c.priority,
    outcome: c.outcome,
    agentId: c.agentId,
    dispositions: [latest.get(c.sid)]
      .filter((n) => n !== undefined)
      .map((n) => ({ ...n.data, ...shortNote(n.data.note), agentId: n.agentId, agentName: n.agentName, at: iso(n.at) })),
  }));
}

type Entry = Awaited<ReturnType<typeof entryForCall>>;

/** A call-back's talk time starts when caller and agent were both in the conference (the later join). */
function talkStart(entry: Entry): number | null {
  if (entry?.kind !== "virtual" || (entry.status !== "connected" && entry.status !== "done")) return null;
  if (entry.agentJoinedAt === null || entry.callerJoinedAt === null) return null;
  return Math.max(entry.agentJoinedAt, entry.callerJoinedAt);
}

/**
 * The number's callback item: the one this call reached (the item being called back, or the one closed
 * when the caller got through), else the one still open. Once answered the screen shows it reached.
 */
async function callbackItemOf(db: Db, call: CallRow, entry: Entry) {
  if (entry?.kind === "virtual" && entry.callbackId !== null) return itemById(db, entry.callbackId);
  const { events } = tables(db);
  const closed = first(
    await db
      .select({ id: events.callbackId })
      .from(events)
      .where(and(eq(events.callSid, call.sid), eq(events.type, "callback.closed")))
      .orderBy(desc(events.id))
      .limit(1),
  );
  const reached = closed?.id != null ? await itemById(db, closed.id) : undefined;
  return reached ?? (call.fromE164 ? openItemForNumber(db, call.fromE164) : undefined);
}

/**
 * Everything the counsellor needs the moment a call reaches them (the contract's call.offered).
 * `history` lists the number's earlier calls and its callback item; `openCallbacks` and the open cases
 * are also given on their own for screens that show them apart. `openCallbacks` holds the item open
 * when the call came, still there once the call reached it (with its status then `reached`).
 */
export async function screenPop(db: Db, callSid: string, now: number): Promise<ScreenPop | undefined> {
  const call = await findCall(db, callSid);
  if (!call) return undefined;
  const entry = await entryForCall(db, callSid);
  const since = entry?.enqueuedAt ?? call.queuedAt ?? call.createdAt;
  // Time waited stops when the call is answered: a reconnecting agent sees what the caller waited.
  const until = call.connectedAt ?? now;
  const item = await callbackItemOf(db, call, entry);
  const connectedAt = call.connectedAt ?? talkStart(entry);
  const openCallbacks = item ? [{ kind: "callback" as const, ...publicItem(item, now, true) }] : [];
  return {
    callSid: call.sid,
    from: call.fromE164 ?? "withheld",
    language: call.language,
    topic: call.topic,
    priority: call.priority,
    kind: entry?.kind === "virtual" ? "callback" : "inbound",
    /** On a call-back: the item being worked, so a case can be linked to it. */
    callbackId: entry?.kind === "virtual" ? (entry.callbackId ?? null) : null,
    waitedSeconds: Math.max(0, Math.round((until - since) / 1000)),
    ivrPath: call.ivrPath.map((s) => ({ ...s, at: iso(s.at) })),
    linesInUse: await linesInUse(db),
    state: call.state,
    connectedSeconds: connectedAt ? Math.max(0, Math.round((now - connectedAt) / 1000)) : null,
    history: [...(await earlierCalls(db, call)), ...openCallbacks],
    openCallbacks,
    openCases: call.fromE164 ? await openCasesForNumber(db, call.fromE164) : [],
  };
}
