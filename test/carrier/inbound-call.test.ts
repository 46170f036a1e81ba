import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HOTLINE, startHarness, twiml, type Harness } from "./harness.js";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

describe("an inbound call", () => {
  it("posts Twilio's signed voice webhook and records what the caller hears", async () => {
    h.server.on("/voice", twiml(`<Say voice="Google.th-TH-Standard-A" language="th-TH">สวัสดีค่ะ</Say><Play>/audio/th/welcome.mp3</Play>`));
    const call = h.carrier.placeCall({ from: "+66812345678" });
    await h.carrier.idle();

    const [voice] = h.server.to("/voice");
    expect(voice?.signatureValid).toBe(true);
    expect(voice?.params).toMatchObject({
      AccountSid: h.carrier.accountSid,
      ApiVersion: "2010-04-01",
      CallSid: call.sid,
      CallStatus: "ringing",
      Direction: "inbound",
      From: "+66812345678",
      To: HOTLINE,
      Caller: "+66812345678",
      Called: HOTLINE,
    });
    expect(voice?.params.CallSid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(voice?.params).not.toHaveProperty("ForwardedFrom");
    expect(call.transcript.map(({ verb, text, url, language }) => ({ verb, text, url, language }))).toEqual([
      { verb: "say", text: "สวัสดีค่ะ", url: undefined, language: "th-TH" },
      { verb: "play", text: undefined, url: `${h.server.base}/audio/th/welcome.mp3`, language: undefined },
    ]);
    expect(call.status).toBe("completed");
  });

  it("fires the number's status callback once when the call ends, with duration and sequence", async () => {
    h.server.on("/voice", twiml(`<Say>hi</Say><Pause length="7"/><Hangup/>`));
    const call = h.carrier.placeCall({ from: "+66812345678" });
    await h.carrier.idle();
    expect(call.state).toBe("pause");
    await h.advance(7000);

    const status = h.server.to("/status");
    expect(status).toHaveLength(1);
    expect(status[0]?.signatureValid).toBe(true);
    expect(status[0]?.params).toMatchObject({
      CallSid: call.sid,
      CallStatus: "completed",
      CallDuration: "7",
      CallbackSource: "call-progress-events",
      SequenceNumber: "0",
      Direction: "inbound",
    });
    expect(status[0]?.params.Timestamp).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
  });

  it("runs Redirect with relative URLs resolved against the document", async () => {
    h.server.on("/voice", twiml(`<Redirect>next?step=2</Redirect>`));
    h.server.on("/next", twiml(`<Say>step two</Say>`));
    const call = h.carrier.placeCall({ from: "+66812345678" });
    await h.carrier.idle();
    const next = h.server.to("/next");
    expect(next[0]?.method).toBe("POST");
    expect(next[0]?.signatureValid).toBe(true);
    expect(next[0]?.params.CallStatus).toBe("in-progress");
    expect(call.heard()).toEqual(["step two"]);
  });

  it("is never answered when the first verb is Reject: busy gives busy, rejected gives no-answer", async () => {
    h.server.on("/voice", (p) => twiml(p.From === "+66800000001" ? `<Reject reason="busy"/>` : `<Reject/>`));
    const busy = h.carrier.placeCall({ from: "+66800000001" });
    const rejected = h.carrier.placeCall({ from: "+66800000002" });
    await h.carrier.idle();
    expect(busy.status).toBe("busy");
    expect(rejected.status).toBe("no-answer");
    expect(busy.answeredAt).toBeUndefined();
    const finals = Object.fromEntries(h.server.to("/status").map((r) => [r.params.CallSid, r.params]));
    expect(finals[busy.sid]).toMatchObject({ CallStatus: "busy", CallDuration: "0" });
    expect(finals[rejected.sid]).toMatchObject({ CallStatus: "no-answer" });
  });

  it("plays an application error and hangs up when the server fails or answers garbage", async () => {
    h.server.on("/voice", { status: 500, body: "boom" });
    const failed = h.carrier.placeCall({ from: "+66812345678" });
    await h.carrier.idle();
    expect(failed.transcript[0]?.verb).toBe("error");
    expect(failed.status).toBe("completed");
    expect(h.server.to("/status").map((r) => r.params.CallSid)).toContain(failed.sid);

    h.server.on("/voice", "<Response><Say>unclosed</Response>");
    const garbled = h.carrier.placeCall({ from: "+66812345678" });
    await h.carrier.idle();
    expect(garbled.transcript.map((p) => p.verb)).toEqual(["error"]);
    expect(garbled.ended).toBe(true);
  });

  it("ends as completed when the caller hangs up during a menu", async () => {
    h.server.on("/voice", twiml(`<Gather><Say>menu</Say></Gather>`));
    const call = h.carrier.placeCall({ from: "+66812345678" });
    await h.carrier.idle();
    await call.hangup();
    await h.carrier.idle();
    expect(call.status).toBe("completed");
    expect(h.server.to("/status")[0]?.params.CallStatus).toBe("completed");
  });

  it("stops a document that redirects to itself forever (simulator guard) with an application error", async () => {
    h.server.on("/voice", twiml(`<Redirect>/voice</Redirect>`));
    const call = h.carrier.placeCall({ from: "+66812345678" });
    await h.carrier.idle();
    expect(call.transcript.map((p) => p.verb)).toEqual(["error"]);
    expect(call.ended).toBe(true);
  });
});
