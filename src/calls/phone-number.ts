import { Metadata, parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js";
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
  // Most numbers, as Twilio gives them, are decided at once. The rest take libphonenumber's way, and
  // callers in crisis call again, often within minutes: a number the library parsed is not parsed again
  // (keeping the plain ones too cost more than deciding them anew).
  if (isPlainValid(value)) return value;
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

/**
 * Twilio gives a caller's number as "+" and digits (E.164). For such a number, libphonenumber's parse
 * and check come to this: the digits after the country calling code are the national number, as long as
 * they do not begin with what the country's national prefix may be (then parse strips it), and the number
 * is valid when they match the country's national number pattern. That decision, made here with the
 * library's own metadata and patterns compiled once, costs under a microsecond; the library's path cost
 * 11–13 µs of an arrival's CPU in the server (bench/README.md, eighth pass). It only ever says "valid, as
 * given": anything else (a shared calling code such as +1, a possible national prefix, no match, another
 * format) goes the library's whole way. test/unit/phone-number.test.ts holds the two equal.
 */
export function isPlainValid(value: string): boolean {
  if (!PLAIN.test(value)) return false;
  // Calling codes are 1–3 digits, and none is the beginning of another.
  for (let length = 1; length <= 3; length++) {
    const plan = plainPlans().get(value.slice(1, 1 + length));
    if (plan) {
      const national = value.slice(1 + length);
      return !plan.prefix?.test(national) && plan.pattern.test(national);
    }
  }
  return false;
}

const PLAIN = /^\+[1-9]\d{4,16}$/;

interface PlainPlan {
  /** The national number pattern, whole. */
  pattern: RegExp;
  /** What libphonenumber strips as a national prefix (or carrier code) at the national number's start. */
  prefix: RegExp | undefined;
}

/**
 * Metadata's undocumented side: `nationalNumberPattern`, `nationalPrefixForParsing` and `hasTypes` are
 * the methods libphonenumber's own parse and isValid call. A version of the library without them makes
 * every plan unknown here (so every number takes the library's path), and the test fails.
 */
interface PlanInternals {
  nationalNumberPattern?: () => string;
  nationalPrefixForParsing?: () => string | undefined;
  hasTypes?: () => boolean;
}

let plans: Map<string, PlainPlan> | undefined;

/** Calling codes of exactly one country whose plan libphonenumber checks by its pattern alone (no number types in its metadata). */
function plainPlans(): Map<string, PlainPlan> {
  if (plans) return plans;
  plans = new Map();
  const metadata = new Metadata();
  const callingCodes = (metadata as unknown as { countryCallingCodes?: () => Record<string, string[]> }).countryCallingCodes?.() ?? {};
  for (const [code, countries] of Object.entries(callingCodes)) {
    if (countries.length !== 1 || countries[0] === "001") continue;
    metadata.selectNumberingPlan(countries[0] as CountryCode);
    const plan = metadata.numberingPlan as PlanInternals | undefined;
    const pattern = plan?.nationalNumberPattern?.();
    if (!pattern || plan?.hasTypes?.() !== false || !plan.nationalPrefixForParsing) continue;
    const prefix = plan.nationalPrefixForParsing();
    plans.set(code, { pattern: new RegExp(`^(?:${pattern})$`), prefix: prefix ? new RegExp(`^(?:${prefix})`) : undefined });
  }
  return plans;
}
