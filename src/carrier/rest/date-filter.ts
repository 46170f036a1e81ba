import { RestError } from "./twilio-errors.js";

const DAY_MS = 86_400_000;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Twilio's date filters on a list (StartTime, EndTime): `Name=YYYY-MM-DD` is that UTC day,
 * `Name>=…` on or after, `Name<=…` on or before (in a query string the key is `Name>` or `Name<`).
 * The official client sends full ISO 8601 times, compared to the millisecond; a bare date means its
 * midnight (UTC).
 */
export function dateFilter(query: Record<string, unknown>, name: string): (ms: number | undefined) => boolean {
  const exact = parse(query[name], name);
  const after = parse(query[`${name}>`], `${name}>`);
  const before = parse(query[`${name}<`], `${name}<`);
  if (exact === undefined && after === undefined && before === undefined) return () => true;
  return (ms) => {
    if (ms === undefined) return false;
    if (exact !== undefined && Math.floor(ms / DAY_MS) !== Math.floor(exact / DAY_MS)) return false;
    if (after !== undefined && ms < after) return false;
    if (before !== undefined && ms > before) return false;
    return true;
  };
}

function parse(value: unknown, name: string): number | undefined {
  if (value === undefined || value === "") return undefined;
  const text = Array.isArray(value) ? String(value[value.length - 1]) : String(value);
  const ms = DATE_ONLY.test(text) ? Date.parse(`${text}T00:00:00Z`) : Date.parse(text);
  if (Number.isNaN(ms)) throw new RestError(400, 20001, `Invalid parameter ${name}: not a date`);
  return ms;
}
