import { and, desc, eq, inArray, ne } from "drizzle-orm";
import { calls, events } from "../../db/schema.js";
import type { Db } from "../../db/connection.js";
import { findCall, type CallRow } from "../calls/call-store.js";
import { linesInUse } from "../lines/line-capacity.js";
import { entryForCall } from "../queue/queue-store.js";

const iso = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString());
const HISTORY_LIMIT = 20;

/** Earlier calls of the same number, newest first, with what earlier agents recorded about them. */
export function callerHistory(db: Db, call: CallRow) {
  if (!call.fromE164) return { calls: [] as unknown[], openCallbacks: [] as unknown[] };
  const earlier = db
    .select()
    .from(calls)
    .where(and(eq(calls.fromE164, call.fromE164), ne(calls.sid, call.sid), eq(calls.direction, "inbound")))
    .orderBy(desc(calls.createdAt))
    .limit(HISTORY_LIMIT)
    .all();
  const sids = earlier.map((c) => c.sid);
  const notes = sids.length
    ? db.select().from(events).where(and(inArray(events.callSid, sids), eq(events.type, "call.disposition"))).all()
    : [];
  return {
    calls: earlier.map((c) => ({
      callSid: c.sid,
      at: iso(c.createdAt),
      language: c.language,
      topic: c.topic,
      priority: c.priority,
      outcome: c.outcome,
      agentId: c.agentId,
      dispositions: notes.filter((n) => n.callSid === c.sid).map((n) => ({ ...n.data, agentId: n.userId, at: iso(n.at) })),
    })),
    openCallbacks: [] as unknown[],
  };
}

/** Everything the counsellor needs the moment a call reaches them (the contract's call.offered). */
export function screenPop(db: Db, callSid: string, now: number, openCallbacks: (e164: string) => unknown[] = () => []) {
  const call = findCall(db, callSid);
  if (!call) return undefined;
  const entry = entryForCall(db, callSid);
  const since = entry?.enqueuedAt ?? call.queuedAt ?? call.createdAt;
  const history = callerHistory(db, call);
  return {
    callSid: call.sid,
    from: call.fromE164 ?? "withheld",
    language: call.language,
    topic: call.topic,
    priority: call.priority,
    kind: entry?.kind === "virtual" ? "callback" : "inbound",
    waitedSeconds: Math.max(0, Math.round((now - since) / 1000)),
    ivrPath: call.ivrPath.map((s) => ({ ...s, at: iso(s.at) })),
    linesInUse: linesInUse(db),
    state: call.state,
    history: { ...history, openCallbacks: call.fromE164 ? openCallbacks(call.fromE164) : [] },
  };
}
