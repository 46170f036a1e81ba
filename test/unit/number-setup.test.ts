import { describe, expect, it } from "vitest";
import { describeOutcomes, hotlineSettings, planChanges, setUpNumbers, type AccountNumber, type NumberDirectory } from "../../src/telephony/number-setup.js";

const BASE = "https://hotline.example.org";

describe("the hotline number's settings", () => {
  it("plans only the settings that differ, ignoring the case of methods and unset URLs given as null", () => {
    const wanted = hotlineSettings(`${BASE}/`);
    expect(wanted.voiceFallbackUrl).toBe(`${BASE}/twilio/fallback`);
    const current = { voiceUrl: `${BASE}/twilio/voice`, voiceMethod: "post", voiceFallbackUrl: null, voiceFallbackMethod: "POST", statusCallback: "", statusCallbackMethod: "GET" };
    expect(planChanges(current, wanted)).toEqual([
      { field: "voiceFallbackUrl", from: "", to: `${BASE}/twilio/fallback` },
      { field: "statusCallback", from: "", to: `${BASE}/twilio/status` },
      { field: "statusCallbackMethod", from: "GET", to: "POST" },
    ]);
    expect(planChanges(wanted, wanted)).toEqual([]);
  });

  it("every URL the number hands to Twilio carries the connection overrides as its fragment, and a number set up without them is brought to them", () => {
    const overrides = "ct=1000&rc=3&rp=ct,5xx&rt=10000&tt=12000";
    const wanted = hotlineSettings(BASE, overrides);
    for (const url of [wanted.voiceUrl, wanted.voiceFallbackUrl, wanted.statusCallback]) {
      const parsed = new URL(url);
      expect(parsed.origin).toBe(BASE);
      expect(parsed.hash).toBe(`#${overrides}`);
    }
    expect(planChanges(hotlineSettings(BASE), wanted).map((c) => c.field)).toEqual(["voiceUrl", "voiceFallbackUrl", "statusCallback"]);
  });

  it("a dry run changes nothing; a run changes once; the next run has nothing to change; an unknown number is reported", async () => {
    const number: AccountNumber = { sid: "PN1", phoneNumber: "+6621300000", ...hotlineSettings("http://old.example"), voiceFallbackUrl: "" };
    const updates: unknown[] = [];
    const directory: NumberDirectory = {
      find: async (n) => (n === number.phoneNumber ? { ...number } : undefined),
      update: async (sid, patch) => {
        updates.push([sid, patch]);
        Object.assign(number, patch);
      },
    };
    const planned = await setUpNumbers(directory, ["+6621300000"], hotlineSettings(BASE), true);
    expect(planned[0]).toMatchObject({ result: "planned" });
    expect(updates).toEqual([]);
    const done = await setUpNumbers(directory, ["+6621300000", "+6621399999"], hotlineSettings(BASE), false);
    expect(done.map((o) => o.result)).toEqual(["changed", "missing"]);
    expect(updates).toHaveLength(1);
    expect(number).toMatchObject(hotlineSettings(BASE));
    const again = await setUpNumbers(directory, ["+6621300000"], hotlineSettings(BASE), false);
    expect(describeOutcomes(again)).toEqual(["+6621300000 (PN1): nothing to change"]);
    expect(updates).toHaveLength(1);
  });
});
