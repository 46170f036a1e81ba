import { startOf } from "../reports/time-buckets.js";
import { waitSeconds, type CallFact } from "../reports/interval-figures.js";

/*
 * What the forecast learns from the past, as pure functions: callers per hour for a coming hour, and how
 * long callers are willing to wait.
 */

const HOUR = 3_600_000;
const DAY = 86_400_000;
const WEEK = 7 * DAY;
/** Below this many weeks of history, one weekday's hour is too few samples: every day's same hour is used. */
export const MIN_WEEKS_FOR_WEEKDAY = 3;
/** Patience is estimated once this many callers gave up waiting; fewer make Erlang A guesswork. */
export const MIN_ABANDONMENTS = 5;
const SAME_HOUR_DAYS = 14;

export type ForecastBasis = "same_weekday_hour" | "same_hour" | "no_history";

export interface ArrivalForecast {
  arrivalsPerHour: number;
  basis: ForecastBasis;
  /** How many past hours were averaged. */
  samples: number;
}

/**
 * Callers per hour expected in the local hour starting at `hourStart`: the mean of the same hour on the
 * same weekday of past weeks when there are at least MIN_WEEKS_FOR_WEEKDAY of them (up to `maxWeeks`), else
 * of the same hour on each past day (up to 14). `arrivals` are the times callers joined the queue, sorted.
 */
export function forecastArrivals(arrivals: readonly number[], historyStart: number, now: number, hourStart: number, zone: string, maxWeeks: number): ArrivalForecast {
  const weeks = Math.min(maxWeeks, Math.floor((now - historyStart) / WEEK));
  const days = Math.min(SAME_HOUR_DAYS, Math.floor((now - historyStart) / DAY));
  const [step, count, basis]: [number, number, ForecastBasis] =
    weeks >= MIN_WEEKS_FOR_WEEKDAY ? [WEEK, weeks, "same_weekday_hour"] : days >= 1 ? [DAY, days, "same_hour"] : [0, 0, "no_history"];
  let total = 0;
  let samples = 0;
  for (let k = 1; k <= count; k++) {
    // The same local hour k days or weeks back (half an hour in: robust to a daylight-saving shift).
    const start = startOf(zone, hourStart - k * step + HOUR / 2, "hour");
    // An hour of history that has not fully passed yet is not a sample (the forecast of the current hour a week ago is).
    if (start + HOUR > now || start < historyStart) continue;
    total += countIn(arrivals, start, start + HOUR);
    samples += 1;
  }
  return { arrivalsPerHour: samples > 0 ? total / samples : 0, basis: samples > 0 ? basis : "no_history", samples };
}

function countIn(sorted: readonly number[], from: number, to: number): number {
  return lowerBound(sorted, to) - lowerBound(sorted, from);
}
function lowerBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Callers' mean patience, seconds: every second callers spent waiting in the queue divided by the number
 * who gave up there (queue or ringing). Callers who were answered or asked for a callback count as
 * censored observations (their patience was at least their wait) — the maximum-likelihood estimate of an
 * exponential patience (Brown et al., "Statistical analysis of a telephone call center", JASA 2005),
 * which the plain mean time to abandon underestimates. No estimate with too few abandonments.
 */
export function estimatePatience(calls: readonly CallFact[]): { patienceSeconds: number | undefined; abandonments: number } {
  let waited = 0;
  let abandonments = 0;
  for (const call of calls) {
    const wait = waitSeconds(call);
    if (wait === null) continue;
    waited += wait;
    if (call.outcome === "abandoned_queue" || call.outcome === "abandoned_ringing") abandonments += 1;
  }
  return { patienceSeconds: abandonments >= MIN_ABANDONMENTS && waited > 0 ? waited / abandonments : undefined, abandonments };
}
