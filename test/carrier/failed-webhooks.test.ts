import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { freePort } from "../support/free-port.js";
import { startHarness, twiml, type Harness } from "./harness.js";

// What Twilio's debugger would list: webhooks that failed for good (after the retries their connection
// overrides allow) and calls ended by the application error. Tests of many calls assert both are empty.

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

async function pointNumberAt(settings: { voiceUrl: string; statusCallback?: string }) {
  const [number] = await h.client.incomingPhoneNumbers.list();
  await h.client.incomingPhoneNumbers(number!.sid).update(settings);
}

describe("the carrier's record of failed webhooks", () => {
  it("a webhook that succeeds on a retry is no failure; one whose retries run out is, once, with its last status", async () => {
    let voiceTries = 0;
    h.server.on("/voice", () => (voiceTries++ < 1 ? { status: 503, body: "draining" } : twiml("<Say>hello</Say>")));
    h.server.on("/status", { status: 500, body: "broken" });
    await pointNumberAt({ voiceUrl: `${h.server.base}/voice#rc=2&rp=5xx`, statusCallback: `${h.server.base}/status#rc=1&rp=5xx` });

    const call = h.carrier.placeCall({ from: "+66812345678" });
    await h.carrier.idle();

    expect(call.heard()).toEqual(["hello"]);
    expect(h.carrier.applicationErrors).toEqual([]);
    expect(h.carrier.failedWebhooks).toEqual([{ url: `${h.server.base}/status`, method: "POST", callSid: call.sid, status: 500, error: undefined, tries: 2 }]);
  });

  it("a refused connection is a failure with no status, and the caller's application error is recorded", async () => {
    const nobody = await freePort();
    await pointNumberAt({ voiceUrl: `http://127.0.0.1:${nobody}/voice#rc=1&rp=ct` });

    const call = h.carrier.placeCall({ from: "+66812345678" });
    await h.carrier.idle();

    expect(call.transcript.map((p) => p.verb)).toEqual(["error"]);
    expect(h.carrier.failedWebhooks).toMatchObject([{ url: `http://127.0.0.1:${nobody}/voice`, callSid: call.sid, status: 0, tries: 2 }]);
    expect(h.carrier.failedWebhooks[0]!.error).toBeTruthy();
    expect(h.carrier.applicationErrors).toMatchObject([{ callSid: call.sid, code: 11200 }]);
  });
});
