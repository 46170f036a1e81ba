import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startHarness, twiml, type Harness } from "./harness.js";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const MENU = twiml(
  `<Gather numDigits="1" timeout="5" action="/menu"><Say>press 1 for Thai</Say><Pause length="10"/><Say>press 2 for Burmese</Say></Gather><Say>no input</Say>`,
);

describe("<Gather>", () => {
  it("stops nested prompts at the first key (barge-in) and posts Digits to the action", async () => {
    h.server.on("/voice", MENU);
    h.server.on("/menu", (p) => twiml(`<Say>you chose ${p.Digits}</Say>`));
    const call = h.carrier.placeCall({ from: "+66812345678" });
    await h.carrier.idle();
    expect(call.state).toBe("gather");
    await h.advance(3000); // inside the nested Pause
    call.press("1");
    await h.carrier.idle();

    expect(call.heard()).toEqual(["press 1 for Thai", "you chose 1"]);
    const [menu] = h.server.to("/menu");
    expect(menu?.params).toMatchObject({ Digits: "1", FinishedOnKey: "", CallStatus: "in-progress" });
    expect(menu?.signatureValid).toBe(true);
  });

  it("falls through to the next verb when no key comes within timeout after the prompts", async () => {
    h.server.on("/voice", MENU);
    const call = h.carrier.placeCall({ from: "+66812345678" });
    await h.carrier.idle();
    await h.advance(10_000); // nested Pause ends, the 5 s timeout starts
    expect(call.state).toBe("gather");
    await h.advance(4_999);
    expect(call.state).toBe("gather");
    await h.advance(1);
    expect(call.heard()).toEqual(["press 1 for Thai", "press 2 for Burmese", "no input"]);
    expect(h.server.to("/menu")).toHaveLength(0);
    expect(call.status).toBe("completed");
  });

  it("requests the action without digits when actionOnEmptyResult is true", async () => {
    h.server.on("/voice", twiml(`<Gather timeout="3" actionOnEmptyResult="true"><Say>menu</Say></Gather><Say>unreached</Say>`));
    const call = h.carrier.placeCall({ from: "+66812345678" });
    await h.advance(3000);
    // No action attribute: Twilio posts back to the document's own URL.
    const voice = h.server.to("/voice");
    expect(voice).toHaveLength(2);
    expect(voice[1]?.params).toMatchObject({ Digits: "", FinishedOnKey: "" });
    expect(call.heard()).not.toContain("unreached");
  });

  it("collects several digits until finishOnKey, and restarts the timeout after each key", async () => {
    h.server.on("/voice", twiml(`<Gather action="/id" method="GET" timeout="4"><Say>enter your ID then hash</Say></Gather>`));
    const call = h.carrier.placeCall({ from: "+66812345678" });
    await h.carrier.idle();
    call.press("12");
    await h.advance(3000);
    call.press("3");
    await h.advance(3000);
    expect(call.state).toBe("gather");
    call.press("#");
    await h.carrier.idle();
    const [id] = h.server.to("/id");
    expect(id?.method).toBe("GET");
    expect(id?.signatureValid).toBe(true);
    expect(id?.params).toMatchObject({ Digits: "123", FinishedOnKey: "#" });
  });

  it("submits what was typed when the timeout passes after a key", async () => {
    h.server.on("/voice", twiml(`<Gather action="/id" timeout="2"/>`));
    const call = h.carrier.placeCall({ from: "+66812345678" });
    await h.carrier.idle();
    call.press("42");
    await h.advance(2000);
    expect(h.server.to("/id")[0]?.params).toMatchObject({ Digits: "42", FinishedOnKey: "" });
  });

  it("treats finishOnKey alone as no input", async () => {
    h.server.on("/voice", twiml(`<Gather action="/id"><Say>menu</Say></Gather><Say>nothing entered</Say>`));
    const call = h.carrier.placeCall({ from: "+66812345678" });
    await h.carrier.idle();
    call.press("#");
    await h.carrier.idle();
    expect(h.server.to("/id")).toHaveLength(0);
    expect(call.heard()).toEqual(["menu", "nothing entered"]);
  });

  it("drops keys pressed while no Gather listens, as a phone does", async () => {
    h.server.on("/voice", twiml(`<Pause length="5"/><Gather numDigits="1" action="/menu"><Say>menu</Say></Gather>`));
    const call = h.carrier.placeCall({ from: "+66812345678" });
    await h.carrier.idle();
    call.press("9");
    await h.advance(5000);
    expect(call.state).toBe("gather");
    expect(call.droppedKeys).toBe("9");
    expect(call.lastGather).toMatchObject({ numDigits: 1, finishOnKey: "#", timeout: 5, action: `${h.server.base}/menu` });
    call.press("2");
    await h.carrier.idle();
    expect(h.server.to("/menu")[0]?.params.Digits).toBe("2");
  });
});
