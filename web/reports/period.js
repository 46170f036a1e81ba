// The period picker's arithmetic: local days of the hotline's zone (TIMEZONE), by the same code the
// reports cut their hours and days with, so "today" here is the API's today.
import { constants } from "/web/shared.js";
import { localIso, nextStart, startOf, zoneOffset } from "/web/time-buckets.js";

const zone = constants.timeZone;
const HOUR = 3_600_000;

/** The local date (YYYY-MM-DD) an instant falls on. */
export const localDate = (at) => localIso(zone, at).slice(0, 10);

/** The instant a local date ("2026-11-24") began: found from its noon, which no clock change moves off the day. */
export function dayStart(date) {
  const [y, m, d] = date.split("-").map(Number);
  const noonUtc = Date.UTC(y, m - 1, d, 12);
  return startOf(zone, noonUtc - zoneOffset(zone, noonUtc), "day");
}

/** The last `days` local days up to and including today: [from, to). */
export function lastDays(days, now = Date.now()) {
  let from = startOf(zone, now, "day");
  const to = nextStart(zone, from, "day");
  for (let i = 1; i < days; i++) from = startOf(zone, from - HOUR, "day");
  return { from, to };
}

/** From a first to a last local date, both included: [from, to). */
export const dateRange = (first, last) => ({ from: dayStart(first), to: nextStart(zone, dayStart(last), "day") });

export const PRESETS = { today: 1, "7d": 7, "30d": 30 };
