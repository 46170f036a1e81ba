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
