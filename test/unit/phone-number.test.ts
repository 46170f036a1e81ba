import { describe, expect, it } from "vitest";
import { getCountries, getCountryCallingCode, getExampleNumber, parsePhoneNumberFromString } from "libphonenumber-js";
import examples from "libphonenumber-js/mobile/examples";
import { isPlainValid, toE164 } from "../../src/calls/phone-number.js";

/** What toE164 made of a "+digits" number before the plain path: libphonenumber's parse and check. */
const byLibrary = (value: string): string | null => {
  const parsed = parsePhoneNumberFromString(value, "TH");
  return parsed?.isValid() ? parsed.number : null;
};

/** Seeded, so a failure names the same numbers on the next run. */
function digits(seed: number): () => string {
  let x = seed;
  return () => {
    x = (Math.imul(x, 1_103_515_245) + 12_345) >>> 0;
    return String(x % 10);
  };
}

/**
 * Each country's example mobile; every digit of it changed to every other; one digit more and one less; one to
 * three digits put before its national number; random digits of every length after each calling code, and
 * every two first digits.
 */
let made: string[] | undefined;
function candidates(): string[] {
  if (made) return made;
  const out: string[] = (made = []);
  const next = digits(1300);
  for (const country of getCountries()) {
    const code = getCountryCallingCode(country);
    const example = getExampleNumber(country, examples)?.number;
    if (example) {
      out.push(example, `${example}0`, example.slice(0, -1));
      // With a digit or two before the national number, where a national prefix (0, 1, 8, 06…) would be.
      const national = example.slice(1 + code.length);
      for (let d = 0; d <= 99; d++) out.push(`+${code}${d}${national}`, `+${code}0${d}${national}`);
      for (let i = 1 + code.length; i < example.length; i++) {
        for (let d = 0; d <= 9; d++) out.push(`${example.slice(0, i)}${d}${example.slice(i + 1)}`);
      }
    }
    for (let length = 2; length <= 14; length++) {
      for (let k = 0; k < 6; k++) out.push(`+${code}${Array.from({ length }, next).join("")}`);
    }
    // Every two first digits (where national prefixes and carrier codes are: Brazil's 90, Belarus's 80), random after.
    for (let length = 9; length <= 12; length++) {
      for (let first = 0; first <= 99; first++) out.push(`+${code}${String(first).padStart(2, "0")}${Array.from({ length: length - 2 }, next).join("")}`);
    }
  }
  return out;
}

describe("a caller's number in E.164", () => {
  it("the plain path never calls a number valid that libphonenumber would not give back as it is", () => {
    const numbers = candidates();
    const wrong = numbers.filter((n) => isPlainValid(n) && byLibrary(n) !== n);
    expect(wrong).toEqual([]);
    // And toE164 gives what the library gives, whichever path a number takes.
    const differing = numbers.filter((n) => toE164(n) !== byLibrary(n));
    expect(differing).toEqual([]);
  });

  it("decides most valid numbers itself, and every Thai one that cannot carry a national prefix", () => {
    const valid = candidates().filter((n) => byLibrary(n) === n);
    expect(valid.length).toBeGreaterThan(1000);
    // The rest are mostly of calling codes several countries share (+1 alone is two dozen of them).
    expect(valid.filter(isPlainValid).length / valid.length).toBeGreaterThan(0.7);
    const thai = valid.filter((n) => n.startsWith("+66") && !n.startsWith("+660"));
    expect(thai.length).toBeGreaterThan(50);
    expect(thai.filter((n) => !isPlainValid(n))).toEqual([]);
    for (const n of ["+66812345678", "+66912345678", "+6621234567", "+66810000001"]) expect(isPlainValid(n)).toBe(true);
  });

  it("leaves to the library what only it can decide: shared calling codes, national prefixes, other formats", () => {
    // +1 is shared by the US, Canada and the Caribbean; +660… may carry Thailand's national prefix 0.
    for (const n of ["+14155552671", "+660812345678", "0812345678", "66812345678", "+66 81 234 5678"]) expect(isPlainValid(n)).toBe(false);
    expect(toE164("+660812345678")).toBe(byLibrary("+660812345678"));
    expect(toE164("0812345678")).toBe("+66812345678");
    expect(toE164("66812345678")).toBe("+66812345678");
    expect(toE164("+14155552671")).toBe("+14155552671");
  });

  it("withheld, anonymous and invalid numbers are null", () => {
    // Twilio's stand-ins for a withheld caller ID (+266696687, +7378742833, +2562533, +86282452253) are not numbers to call.
    for (const n of ["anonymous", "restricted", "", "+266696687", "+7378742833", "+2562533", "+86282452253", "+6612"]) expect(toE164(n)).toBeNull();
  });
});
