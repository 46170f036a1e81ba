import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HOTLINE, startHarness, twiml, type Harness } from "./harness.js";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

/** The hotline number as the official client reads it. */
async function hotlineNumber() {
  const [number] = await h.client.incomingPhoneNumbers.list({ phoneNumber: HOTLINE });
  if (!number) throw new Error("hotline number not listed");
  return number;
}

describe("IncomingPhoneNumbers, through the official twilio client", () => {
  it("lists the hotline number by PhoneNumber with its voice settings, and nothing for another number", async () => {
    const number = await hotlineNumber();
    expect(number.sid).toMatch(/^PN[0-9a-f]{32}$/);
    expect(number).toMatchObject({ phoneNumber: HOTLINE, voiceUrl: `${h.server.base}/voice`, voiceMethod: "POST", voiceFallbackUrl: "", statusCallback: `${h.server.base}/status` });
    expect(await h.client.incomingPhoneNumbers.list({ phoneNumber: "+15005550006" })).toEqual([]);
    const page = await h.client.incomingPhoneNumbers.page({ pageSize: 1 });
    expect(page.instances.map((n) => n.phoneNumber)).toEqual([HOTLINE]);
    expect(page.nextPageUrl).toBeUndefined();
  });

  it("updates the number: the next call asks the new Voice URL and reports to the new status callback", async () => {
    const number = await hotlineNumber();
    const updated = await h.client.incomingPhoneNumbers(number.sid).update({ voiceUrl: `${h.server.base}/v2`, voiceMethod: "POST", statusCallback: `${h.server.base}/s2`, statusCallbackMethod: "POST" });
    expect(updated).toMatchObject({ voiceUrl: `${h.server.base}/v2`, statusCallback: `${h.server.base}/s2` });
    expect((await h.client.incomingPhoneNumbers(number.sid).fetch()).voiceUrl).toBe(`${h.server.base}/v2`);
    h.server.on("/v2", twiml(`<Say>new</Say><Hangup/>`));
    const call = h.carrier.placeCall({ from: "+66812345678" });
    await h.carrier.idle();
    expect(call.heard()).toEqual(["new"]);
    expect(h.server.to("/voice")).toHaveLength(0);
    expect(h.server.to("/s2").map((r) => r.params.CallStatus)).toEqual(["completed"]);
  });

  it("refuses a fallback URL on a number without a Voice URL (Twilio's 21405)", async () => {
    const number = await hotlineNumber();
    await expect(h.client.incomingPhoneNumbers(number.sid).update({ voiceUrl: "", voiceFallbackUrl: `${h.server.base}/fb` })).rejects.toMatchObject({ status: 400, code: 21405 });
  });
});

describe("the number's VoiceFallbackUrl", () => {
  const useFallback = async () => {
    const number = await hotlineNumber();
    await h.client.incomingPhoneNumbers(number.sid).update({ voiceFallbackUrl: `${h.server.base}/fallback`, voiceFallbackMethod: "POST" });
    h.server.on("/fallback", twiml(`<Say>sorry</Say><Hangup/>`));
  };

  for (const [what, answer] of [
    ["answers an HTTP error", { status: 500, body: "oops" }],
    ["answers something that is not TwiML", { body: "<html><body>502</body>", type: "text/html" }],
  ] as const) {
    it(`is requested with ErrorCode and ErrorUrl when the Voice URL ${what}, and its TwiML runs`, async () => {
      await useFallback();
      h.server.on("/voice", answer);
      const call = h.carrier.placeCall({ from: "+66812345678" });
      await h.carrier.idle();
      expect(call.heard()).toEqual(["sorry"]);
      const [request] = h.server.to("/fallback");
      expect(request?.signatureValid).toBe(true);
      expect(request?.params).toMatchObject({ CallSid: call.sid, From: "+66812345678", To: HOTLINE, Direction: "inbound", ErrorUrl: `${h.server.base}/voice` });
      expect(request?.params.ErrorCode).toMatch(/^1\d{4}$/);
      expect(call.status).toBe("completed");
    });
  }

  it("is requested when the Voice URL cannot be reached at all", async () => {
    await useFallback();
    const number = await hotlineNumber();
    await h.client.incomingPhoneNumbers(number.sid).update({ voiceUrl: "http://127.0.0.1:1/voice" });
    const call = h.carrier.placeCall({ from: "+66812345678" });
    await h.carrier.idle();
    expect(call.heard()).toEqual(["sorry"]);
    expect(h.server.to("/fallback")[0]?.params).toMatchObject({ ErrorCode: "11200", ErrorUrl: "http://127.0.0.1:1/voice" });
  });

  it("is not requested when the Voice URL works, and without one the caller gets Twilio's application error", async () => {
    h.server.on("/voice", { status: 503, body: "" });
    const call = h.carrier.placeCall({ from: "+66812345678" });
    await h.carrier.idle();
    expect(call.transcript.map((p) => p.verb)).toEqual(["error"]);
    await useFallback();
    h.server.on("/voice", twiml(`<Say>fine</Say>`));
    const second = h.carrier.placeCall({ from: "+66812345678" });
    await h.carrier.idle();
    expect(second.heard()).toEqual(["fine"]);
    expect(h.server.to("/fallback")).toHaveLength(0);
  });
});

describe("the call log (Calls list)", () => {
  it("filters by To and StartTime like Twilio, gives Direction, and pages through next_page_uri for the official client", async () => {
    h.server.on("/voice", twiml(`<Hangup/>`));
    const early = h.carrier.placeCall({ from: "+66800000000" });
    await h.advance(60_000);
    const since = new Date(h.clock.now());
    const later = [];
    for (let i = 1; i <= 5; i++) later.push(h.carrier.placeCall({ from: `+6680000000${i}` }));
    h.carrier.placeCall({ from: "+66800000009", to: "+6620000000" });
    await h.carrier.idle();

    const listed = await h.client.calls.list({ to: HOTLINE, startTimeAfter: since, pageSize: 2 });
    expect(listed.map((c) => c.sid).sort()).toEqual(later.map((c) => c.sid).sort());
    expect(listed.every((c) => c.direction === "inbound" && c.status === "completed")).toBe(true);
    const page = await h.client.calls.page({ to: HOTLINE, startTimeAfter: since, pageSize: 2 });
    expect(page.nextPageUrl).toContain("StartTime%3E=");
    expect((await h.client.calls.list({ to: HOTLINE, startTimeBefore: new Date(since.getTime() - 1) })).map((c) => c.sid)).toEqual([early.sid]);
    // A bare date is that whole UTC day, as in Twilio's documentation.
    const day = since.toISOString().slice(0, 10);
    const res = await fetch(`${h.origin}/2010-04-01/Accounts/${h.carrier.accountSid}/Calls.json?To=${encodeURIComponent(HOTLINE)}&StartTime=${day}`, {
      headers: { Authorization: "Basic " + Buffer.from(`${h.carrier.accountSid}:test-auth-token`).toString("base64") },
    });
    expect(((await res.json()) as { calls: unknown[] }).calls).toHaveLength(6);
  });
});
