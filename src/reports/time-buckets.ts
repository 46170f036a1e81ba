/*
 * Hours and days of the hotline's time zone (TIMEZONE), for any IANA zone: offsets are read from Intl
 * at each instant, so a zone with daylight saving gets 23- and 25-hour days and still-whole local hours.
 */

export type Granularity = "hour" | "day";

const HOUR = 3_600_000;
const DAY = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" });
    formatters.set(zone, f);
  }
  return f;
}

/** Milliseconds the zone's wall clock is ahead of UTC at an instant (+7 h for Bangkok). */
export function zoneOffset(zone: string, at: number): number {
  const parts = Object.fromEntries(formatter(zone).formatToParts(new Date(at)).map((p) => [p.type, p.value]));
  const wall = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return wall - Math.floor(at / 1000) * 1000;
}

/** The instant a local hour or day containing `at` began. */
export function startOf(zone: string, at: number, unit: Granularity): number {
  const size = unit === "hour" ? HOUR : DAY;
  const wall = at + zoneOffset(zone, at);
  const wallStart = Math.floor(wall / size) * size;
  // The offset at the start may differ from the one at `at` (a daylight-saving change in between).
  let start = wallStart - zoneOffset(zone, at);
  start = wallStart - zoneOffset(zone, start);
  return start > at ? startOf(zone, start - 1, unit) : start;
}

/** The next local hour or day after the one that began at `start`. */
export function nextStart(zone: string, start: number, unit: Granularity): number {
  // 36 h lands inside the next day whether days last 23, 24 or 25 hours.
  return unit === "hour" ? startOf(zone, start + HOUR, "hour") : startOf(zone, start + 36 * HOUR, "day");
}

/** Every interval start from the one containing `from` up to, not including, `to`. */
export function intervalStarts(zone: string, from: number, to: number, unit: Granularity): number[] {
  const starts: number[] = [];
  for (let t = startOf(zone, from, unit); t < to; t = nextStart(zone, t, unit)) starts.push(t);
  return starts;
}

/** Index of the interval an instant falls in (starts sorted), or -1 before the first. */
export function bucketOf(starts: readonly number[], at: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid]! <= at) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** ISO 8601 in the zone's local time with its offset, e.g. 2026-11-25T00:00:00+07:00: readable as the hotline's own hour. */
export function localIso(zone: string, at: number): string {
  const offset = zoneOffset(zone, at);
  const wall = new Date(at + offset).toISOString().slice(0, 19);
  const sign = offset < 0 ? "-" : "+";
  const minutes = Math.abs(offset) / 60_000;
  return `${wall}${sign}${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}

/** The local hour of the day (0–23) and weekday (0 Sunday – 6 Saturday) of an instant. */
export function localHourAndWeekday(zone: string, at: number): { hour: number; weekday: number } {
  const wall = new Date(at + zoneOffset(zone, at));
  return { hour: wall.getUTCHours(), weekday: wall.getUTCDay() };
}
