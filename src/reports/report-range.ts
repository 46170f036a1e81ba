import type { Granularity } from "./time-buckets.js";

/*
 * The longest period one request may cover: a year of hours is 8,760 rows per group, enough for any
 * chart, and the events of the period are read in one go.
 */
export const MAX_RANGE_DAYS: Record<Granularity, number> = { hour: 92, day: 3 * 366 };

/** Why a period cannot be reported, in words for the 400; undefined when it can. */
export function rangeProblem(from: number, to: number, by: Granularity): string | undefined {
  if (!(to > from)) return "to must be after from";
  const days = (to - from) / 86_400_000;
  if (days > MAX_RANGE_DAYS[by]) return `a report by ${by} covers at most ${MAX_RANGE_DAYS[by]} days; this one covers ${Math.ceil(days)}`;
  return undefined;
}
