import { and, eq, gte, isNull, lt, or } from "drizzle-orm";
import { tables, type Db } from "../../db/storage.js";

/** One minute per point: the wallboard's chart is 3 hours wide, 180 points. */
export const HISTORY_STEP_MS = 60_000;

export interface CallSpan {
  createdAt: number;
  queuedAt: number | null;
  connectedAt: number | null;
  endedAt: number | null;
  outcome: string | null;
}

export interface TrendPoint {
  at: string;
  inUse: number;
  waiting: number;
}

/**
 * Lines in use and callers waiting at each step, from the calls' own timestamps (nothing is sampled or
 * stored for it): a call holds a line from arrival to its end unless it overflowed, and waits from
 * joining the queue until it is connected or ends — the same counts the live figures take at one instant.
 */
export function sampleTrend(spans: CallSpan[], from: number, to: number, step = HISTORY_STEP_MS): TrendPoint[] {
  const points: TrendPoint[] = [];
  for (let t = from; t <= to; t += step) {
    let inUse = 0;
    let waiting = 0;
    for (const c of spans) {
      const end = c.endedAt ?? Infinity;
      if (c.outcome !== "overflow" && c.createdAt <= t && t < end) inUse += 1;
      if (c.queuedAt !== null && c.queuedAt <= t && t < Math.min(end, c.connectedAt ?? Infinity)) waiting += 1;
    }
    points.push({ at: new Date(t).toISOString(), inUse, waiting });
  }
  return points;
}

/** No call lasts this long; bounding the start lets the query use the index on created_at. */
const LONGEST_CALL_MS = 12 * 3_600_000;

/** The inbound calls that were live at some moment of [from, to]. */
export async function callSpans(db: Db, from: number, to: number): Promise<CallSpan[]> {
  const { calls } = tables(db);
  return db
    .select({ createdAt: calls.createdAt, queuedAt: calls.queuedAt, connectedAt: calls.connectedAt, endedAt: calls.endedAt, outcome: calls.outcome })
    .from(calls)
    .where(
      and(
        gte(calls.createdAt, from - LONGEST_CALL_MS),
        lt(calls.createdAt, to + 1),
        eq(calls.direction, "inbound"),
        or(isNull(calls.endedAt), gte(calls.endedAt, from)),
      ),
    );
}

/** The last `minutes` up to now, whole minutes, ending with the present moment. */
export async function trendHistory(db: Db, now: number, minutes: number) {
  const to = now;
  const from = now - minutes * HISTORY_STEP_MS;
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString(), stepSeconds: HISTORY_STEP_MS / 1000, points: sampleTrend(await callSpans(db, from, to), from, to) };
}
