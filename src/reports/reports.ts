import type { Db } from "../../db/storage.js";
import { agentFigures } from "./agent-figures.js";
import { intervalFigures, type GroupBy } from "./interval-figures.js";
import { agentsOf, callbackFacts, eventCountsByAgent, inboundCalls, statusChanges } from "./report-store.js";
import { handleTimes, secondsByStatus, statusSegments } from "./status-segments.js";
import { intervalStarts, localIso, type Granularity } from "./time-buckets.js";

/** A call's wrap-up ends within a day of its arrival: the timeline is read that far past the period. */
const HANDLE_TAIL_MS = 86_400_000;

export interface IntervalQuery {
  from: number;
  to: number;
  by: Granularity;
  group: GroupBy;
  timeZone: string;
  thresholdSeconds: number;
  now: number;
}

/** GET /api/reports/intervals: the period cut into the hotline's local hours or days. */
export async function intervalReport(db: Db, q: IntervalQuery) {
  const starts = intervalStarts(q.timeZone, q.from, q.to, q.by);
  const until = Math.min(q.now, q.to + HANDLE_TAIL_MS);
  // Exactly [from, to): a period starting at 10:30 reports 10:30–11:00 as its first "10:00" hour.
  const [calls, changes, callbacks] = await Promise.all([inboundCalls(db, q.from, q.to), statusChanges(db, q.from, until), callbackFacts(db, q.from, q.to)]);
  const handles = handleTimes(statusSegments(changes, until));
  const handleSeconds = new Map([...handles].map(([sid, h]) => [sid, h.talkSeconds + h.wrapUpSeconds]));
  const rows = intervalFigures({ starts, groupBy: q.group, calls, handleSeconds, callbacks, thresholdSeconds: q.thresholdSeconds });
  return rows.map((r) => ({ ...r, start: localIso(q.timeZone, r.start) }));
}

/** GET /api/reports/agents: each agent's calls and time over [from, to), counted up to now. */
export async function agentReport(db: Db, q: { from: number; to: number; now: number }) {
  const until = Math.min(q.to, q.now);
  const [changes, eventCounts, agents] = await Promise.all([statusChanges(db, q.from, until), eventCountsByAgent(db, ["call.connected", "offer.missed"], q.from, q.to), agentsOf(db)]);
  const seconds = secondsByStatus(statusSegments(changes, until), q.from, until);
  const counts = new Map<string, { callsAnswered: number; callbacksReached: number; offersMissed: number }>();
  for (const row of eventCounts) {
    if (!row.userId) continue;
    const c = counts.get(row.userId) ?? { callsAnswered: 0, callbacksReached: 0, offersMissed: 0 };
    if (row.type === "offer.missed") c.offersMissed += row.n;
    else if (row.kind === "virtual") c.callbacksReached += row.n;
    else c.callsAnswered += row.n;
    counts.set(row.userId, c);
  }
  return agentFigures({ agents, seconds, counts });
}
