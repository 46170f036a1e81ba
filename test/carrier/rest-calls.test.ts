import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ACCOUNT_SID, HOTLINE, startHarness, twiml, type Harness } from "./harness.js";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

describe("the Calls REST resource, through the official twilio client", () => {
  it("creates an outbound call that rings the endpoint, fires every asked-for event and runs Url when answered", async () => {
    h.server.on("/agent", twiml(`<Say>connecting you</Say><Pause length="60"/>`));
    const created = await h.client.calls.create({
      to: "client:alice",
      from: HOTLINE,
      url: `${h.server.base}/agent`,
      statusCallback: `${h.server.base}/leg-status`,
      statusCallbackEvent: ["initiated", "ringing", "answered", "completed"],
    });
    expect(created.sid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(created.status).toBe("queued");
    expect(created.direction).toBe("outbound-api");

    const alice = h.carrier.endpoint("client:alice");
    const leg = await alice.waitForRing();
    await h.carrier.idle();
    expect(leg.sid).toBe(created.sid);
    expect(h.server.to("/agent")).toHaveLength(0);

    alice.answer();
    await h.carrier.idle();
    expect(leg.heard()).toEqual(["connecting you"]);
    const agent = h.server.to("/agent")[0];
    expect(agent?.params).toMatchObject({ Direction: "outbound-api", CallStatus: "in-progress", To: "client:alice", From: HOTLINE });

    const fetched = await h.client.calls(created.sid).fetch();
    expect(fetched.status).toBe("in-progress");
    const live = await h.client.calls.list({ status: "in-progress" });
    expect(live.map((c) => c.sid)).toEqual([created.sid]);

    await h.advance(5000);
    const ended = await h.client.calls(created.sid).update({ status: "completed" });
    expect(ended.status).toBe("completed");
    await h.carrier.idle();
    const events = h.server.to("/leg-status").map((r) => [r.params.CallStatus, r.params.SequenceNumber]);
    expect(events).toEqual([["initiated", "0"], ["ringing", "1"], ["in-progress", "2"], ["completed", "3"]]);
    expect(h.server.to("/leg-status").every((r) => r.signatureValid)).toBe(true);
    expect(h.server.to("/leg-status")[3]?.params.CallDuration).toBe("5");
  });

  it("reports no-answer when nobody picks up within Timeout, and only the completed event by default", async () => {
    const created = await h.client.calls.create({ to: "+66899999999", from: HOTLINE, url: `${h.server.base}/x`, statusCallback: `${h.server.base}/leg-status`, timeout: 20 });
    await h.advance(19_999);
    expect(h.carrier.call(created.sid)?.status).toBe("ringing");
    await h.advance(1);
    expect(h.carrier.call(created.sid)?.status).toBe("no-answer");
    expect(h.server.to("/leg-status").map((r) => r.params.CallStatus)).toEqual(["no-answer"]);
  });

  it("reports busy and failed endpoints", async () => {
    h.carrier.endpoint("sip:desk@example.org").setMode("busy");
    h.carrier.endpoint("+66811111111").setMode("fail");
    const busy = await h.client.calls.create({ to: "sip:desk@example.org", from: HOTLINE, twiml: "<Response/>" });
    const failed = await h.client.calls.create({ to: "+66811111111", from: HOTLINE, twiml: "<Response/>" });
    await h.carrier.idle();
    expect((await h.client.calls(busy.sid).fetch()).status).toBe("busy");
    expect((await h.client.calls(failed.sid).fetch()).status).toBe("failed");
  });

  it("redirects a live call to new TwiML, interrupting its Gather", async () => {
    h.server.on("/voice", twiml(`<Gather action="/menu"><Say>menu</Say></Gather>`));
    h.server.on("/moved", twiml(`<Say>you were moved</Say><Pause length="30"/>`));
    const call = h.carrier.placeCall({ from: "+66812345678" });
    await h.carrier.idle();
    expect(call.state).toBe("gather");
    const updated = await h.client.calls(call.sid).update({ url: `${h.server.base}/moved`, method: "POST" });
    expect(updated.status).toBe("in-progress");
    await h.carrier.idle();
    expect(call.heard()).toEqual(["menu", "you were moved"]);
    call.press("1");
    expect(call.droppedKeys).toBe("1");
    expect(h.server.to("/menu")).toHaveLength(0);
  });

  it("answers Twilio's error JSON: 404 unknown call, 400 missing To/From/Url, 401 bad credentials, 400 redirecting an ended call", async () => {
    await expect(h.client.calls("CA" + "f".repeat(32)).fetch()).rejects.toMatchObject({ status: 404, code: 20404 });
    await expect(h.client.calls.create({ to: "", from: HOTLINE, url: "http://x.test/a" })).rejects.toMatchObject({ status: 400, code: 21201 });
    await expect(h.client.calls.create({ to: "+66811111111", from: "", url: "http://x.test/a" })).rejects.toMatchObject({ status: 400, code: 21213 });
    await expect(h.client.calls.create({ to: "+66811111111", from: HOTLINE })).rejects.toMatchObject({ status: 400, code: 21205 });

    const res = await fetch(`${h.origin}/2010-04-01/Accounts/${ACCOUNT_SID}/Calls.json`, { headers: { Authorization: "Basic " + Buffer.from(`${ACCOUNT_SID}:wrong`).toString("base64") } });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 20003, status: 401, more_info: "https://www.twilio.com/docs/errors/20003" });

    h.server.on("/voice", twiml(`<Say>bye</Say>`));
    const call = h.carrier.placeCall({ from: "+66812345678" });
    await h.carrier.idle();
    await expect(h.client.calls(call.sid).update({ url: `${h.server.base}/x` })).rejects.toMatchObject({ status: 400, code: 21220 });
  });

  it("lists with Twilio's paging fields and filters", async () => {
    h.server.on("/voice", twiml(`<Pause length="100"/>`));
    for (const from of ["+66800000001", "+66800000002", "+66800000003"]) h.carrier.placeCall({ from });
    await h.carrier.idle();
    const page = await h.client.calls.page({ pageSize: 2 });
    expect(page.instances).toHaveLength(2);
    expect(page.nextPageUrl).toBeDefined();
    const all = await h.client.calls.list({ pageSize: 2 });
    expect(all).toHaveLength(3);
    expect(await h.client.calls.list({ from: "+66800000002" })).toHaveLength(1);
  });

  it("fails the next REST requests on demand, then recovers", async () => {
    h.carrier.failRest({ times: 2, status: 503 });
    await expect(h.client.calls.list()).rejects.toMatchObject({ status: 503 });
    await expect(h.client.calls.list()).rejects.toMatchObject({ status: 503 });
    await expect(h.client.calls.list()).resolves.toEqual([]);
  });

  it("can hang a REST request without holding idle() back", async () => {
    h.carrier.failRest({ hang: true });
    const hung = fetch(`${h.origin}/2010-04-01/Accounts/${ACCOUNT_SID}/Calls.json`, {
      headers: { Authorization: "Basic " + Buffer.from(`${ACCOUNT_SID}:test-auth-token`).toString("base64") },
      signal: AbortSignal.timeout(300),
    });
    await h.carrier.idle();
    await expect(hung).rejects.toThrow();
  });
});
