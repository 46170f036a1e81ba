import { parsePhoneNumberFromString } from "libphonenumber-js";
// The full metadata knows which numbers are mobiles (the default, smaller set does not).
import { parsePhoneNumberFromString as parseWithTypes } from "libphonenumber-js/max";

/** The country callers dial from when they give a national number (0812345678). */
const HOME_COUNTRY = "TH";

/**
 * One caller, one key: 0812345678, +66812345678 and 66812345678 are the same person.
 * Withheld, anonymous and invalid numbers give null: they can be counted, never dialled.
 */
export function toE164(raw: string | null | undefined): string | null {
  const value = (raw ?? "").trim();
  // Callers in crisis call again, often within minutes: a number already parsed is not parsed again.
  const known = parsed.get(value);
  if (known !== undefined) return known;
  const e164 = parse(value);
  if (parsed.size >= PARSED_LIMIT) parsed.clear();
  parsed.set(value, e164);
  return e164;
}

/** Numbers already parsed (libphonenumber's parse and check cost more than the rest of an arrival's reads). */
const parsed = new Map<string, string | null>();
const PARSED_LIMIT = 10_000;

function parse(value: string): string | null {
  if (!/\d{4,}/.test(value)) return null; // "anonymous", "restricted", "" and short codes
  const candidates = value.startsWith("+") ? [value] : [value, `+${value}`];
  for (const candidate of candidates) {
    const parsed = parsePhoneNumberFromString(candidate, HOME_COUNTRY);
    if (parsed?.isValid()) return parsed.number;
  }
  return null;
}

/** For people who may see numbers partially: +66812345678 → +66******678. */
export function maskNumber(e164: string | null): string {
  if (!e164) return "withheld";
  return e164.length <= 6 ? "***" : `${e164.slice(0, 3)}${"*".repeat(e164.length - 6)}${e164.slice(-3)}`;
}

/** Whether a text message can reach this number: a mobile (or a number that may be one), never a landline. */
export function isMobile(e164: string | null): boolean {
  const type = e164 ? parseWithTypes(e164)?.getType() : undefined;
  return type === "MOBILE" || type === "FIXED_LINE_OR_MOBILE";
}
