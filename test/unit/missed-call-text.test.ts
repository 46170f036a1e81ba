import { describe, expect, it } from "vitest";
import { textDecision } from "../../src/callbacks/missed-call-text.js";
import { isMobile } from "../../src/calls/phone-number.js";

const allowed = ["pregnancy", "child_labour", "other"];

describe("which missed callers get a text", () => {
  it("a mobile caller on an allowed topic who was not texted today", () => {
    expect(textDecision({ number: "+66812345678", topic: "pregnancy" }, { mobile: true, allowedTopics: allowed, textedToday: false })).toEqual({ send: true });
  });

  it("never a withheld number, a landline, a topic that could endanger the caller, or a second time in a day", () => {
    expect(textDecision({ number: null, topic: "other" }, { mobile: false, allowedTopics: allowed, textedToday: false })).toEqual({ send: false, reason: "withheld" });
    expect(textDecision({ number: "+6621234567", topic: "other" }, { mobile: false, allowedTopics: allowed, textedToday: false })).toEqual({ send: false, reason: "not_mobile" });
    for (const topic of ["violence", "trafficking", null]) {
      expect(textDecision({ number: "+66812345678", topic }, { mobile: true, allowedTopics: allowed, textedToday: false })).toEqual({ send: false, reason: "topic" });
    }
    expect(textDecision({ number: "+66812345678", topic: null }, { mobile: true, allowedTopics: [...allowed, "unknown"], textedToday: false })).toEqual({ send: true });
    expect(textDecision({ number: "+66812345678", topic: "other" }, { mobile: true, allowedTopics: allowed, textedToday: true })).toEqual({ send: false, reason: "sent_today" });
  });

  it("knows Thai mobiles from landlines", () => {
    expect(isMobile("+66812345678")).toBe(true);
    expect(isMobile("+66912345678")).toBe(true);
    expect(isMobile("+6621234567")).toBe(false);
    expect(isMobile(null)).toBe(false);
  });
});
