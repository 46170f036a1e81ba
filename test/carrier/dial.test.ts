import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HOTLINE, startHarness, twiml, type Harness } from "./harness.js";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

describe("<Dial> to a number, client or SIP address", () => {
  it("bridges the first party to answer and calls the action with DialCallStatus, DialCallSid and DialCallDuration", async () => {
    h.server.on("/voice", twiml(`<Dial action="/dialed" timeout="20" callerId="${HOTLINE}"><Client statusCallback="/child-status" statusCallbackEvent="ringing answered completed">bob</Client><Sip>sip:desk@example.org</Sip></Dial>`));
    h.server.on("/dialed", twiml(`<Say>the agent hung up</Say>`));
    const caller = h.carrier.placeCall({ from: "+66812345678" });
    const bob = await h.carrier.endpoint("client:bob").waitForRing();
    await h.carrier.idle();
    expect(caller.state).toBe("dial");
    expect(bob).toMatchObject({ direction: "outbound-dial", parentCallSid: caller.sid, from: HOTLINE, to: "client:bob" });
    const desk = h.carrier.endpoint("sip:desk@example.org").ringing()[0];

    bob.answer();
    await h.carrier.idle();
    expect(caller.state).toBe("bridged");
    expect(bob.state).toBe("bridged");
    expect(desk?.status).toBe("canceled");

    await h.advance(42_000);
    await bob.hangup();
    await h.carrier.idle();
    const dialed = h.server.to("/dialed")[0]?.params;
    expect(dialed).toMatchObject({ DialCallStatus: "completed", DialCallSid: bob.sid, DialCallDuration: "42", CallSid: caller.sid });
    expect(caller.heard()).toEqual(["the agent hung up"]);
    expect(h.server.to("/child-status").map((r) => [r.params.CallStatus, r.params.ParentCallSid])).toEqual([
      ["ringing", caller.sid],
      ["in-progress", caller.sid],
      ["completed", caller.sid],
    ]);
  });

  it("reports no-answer after the Dial timeout, then goes on with the next verb when there is no action", async () => {
    h.server.on("/voice", twiml(`<Dial timeout="10">+66833333333</Dial><Say>nobody answered</Say>`));
    const caller = h.carrier.placeCall({ from: "+66812345678" });
    await h.advance(10_000);
    expect(h.carrier.endpoint("+66833333333").calls[0]?.status).toBe("no-answer");
    expect(caller.heard()).toEqual(["nobody answered"]);
  });

  it("cancels the ringing child when the caller hangs up", async () => {
    h.server.on("/voice", twiml(`<Dial><Number>+66833333333</Number></Dial>`));
    const caller = h.carrier.placeCall({ from: "+66812345678" });
    const child = await h.carrier.endpoint("+66833333333").waitForRing();
    await h.carrier.idle();
    await caller.hangup();
    await h.carrier.idle();
    expect(child.status).toBe("canceled");
    expect(caller.status).toBe("completed");
  });

  it("hangs up the bridged child when the parent is redirected by REST", async () => {
    h.server.on("/voice", twiml(`<Dial><Number>+66833333333</Number></Dial>`));
    h.server.on("/elsewhere", twiml(`<Pause length="10"/>`));
    h.carrier.endpoint("+66833333333").setMode("answer");
    const caller = h.carrier.placeCall({ from: "+66812345678" });
    await h.carrier.idle();
    const child = h.carrier.endpoint("+66833333333").calls[0];
    expect(child?.state).toBe("bridged");
    await h.client.calls(caller.sid).update({ url: `${h.server.base}/elsewhere` });
    await h.carrier.idle();
    expect(child?.status).toBe("completed");
    expect(caller.state).toBe("pause");
  });
});
