import { afterEach, beforeEach, describe, expect, it } from "vitest";
import twilio from "twilio";
import { AUTH_TOKEN, HOTLINE, startHarness, twiml, type Harness } from "./harness.js";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

describe("status callbacks", () => {
  it("are signed so that twilio.validateRequest accepts them", async () => {
    h.server.on("/voice", twiml(`<Hangup/>`));
    h.carrier.placeCall({ from: "+66812345678" });
    await h.carrier.idle();
    const [sent] = h.carrier.sentCallbacks;
    expect(sent?.url).toBe(`${h.server.base}/status`);
    expect(h.server.to("/status")[0]?.signatureValid).toBe(true);
    expect(twilio.validateRequest(AUTH_TOKEN, "forged", sent?.url ?? "", sent?.params ?? {})).toBe(false);
  });

  it("can be delivered twice on request", async () => {
    h.server.on("/voice", twiml(`<Hangup/>`));
    h.carrier.injectCallbackFault({ kind: "duplicate", match: { CallStatus: "completed" } });
    const call = h.carrier.placeCall({ from: "+66812345678" });
    await h.carrier.idle();
    const status = h.server.to("/status");
    expect(status.map((r) => r.params.CallSid)).toEqual([call.sid, call.sid]);
    expect(status[0]?.params).toEqual(status[1]?.params);
  });

  it("can be delivered late, after later ones, on the clock", async () => {
    h.carrier.injectCallbackFault({ kind: "delay", match: { CallStatus: "ringing" }, delayMs: 30_000 });
    await h.client.calls.create({
      to: "client:alice",
      from: HOTLINE,
      twiml: "<Response><Pause length=\"5\"/></Response>",
      statusCallback: `${h.server.base}/leg`,
      statusCallbackEvent: ["ringing", "answered", "completed"],
    });
    h.carrier.endpoint("client:alice").answer(await h.carrier.endpoint("client:alice").waitForRing().then((c) => c.sid));
    await h.advance(5000);
    expect(h.server.to("/leg").map((r) => r.params.CallStatus)).toEqual(["in-progress", "completed"]);
    await h.advance(25_000);
    expect(h.server.to("/leg").map((r) => [r.params.CallStatus, r.params.SequenceNumber])).toEqual([
      ["in-progress", "1"],
      ["completed", "2"],
      ["ringing", "0"],
    ]);
  });
});
