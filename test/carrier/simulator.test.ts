import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/clock.js";
import { startSimulator, type RunningSimulator } from "../../src/carrier/index.js";
import { ACCOUNT_SID, AUTH_TOKEN, HOTLINE, startFakeServer, startHarness, twiml } from "./harness.js";

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function post(origin: string, path: string, body?: unknown) {
  const res = await fetch(origin + path, { method: "POST", headers: body ? { "Content-Type": "application/json" } : {}, body: body ? JSON.stringify(body) : undefined });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("startSimulator and the web phone's /sim API", () => {
  it("wires the number to /twilio/voice and /twilio/status under the server's base URL", async () => {
    const server = await startFakeServer();
    cleanups.push(() => server.close());
    server.on("/twilio/voice", twiml(`<Gather numDigits="1" action="/twilio/menu"><Say language="th-TH">กด 1</Say></Gather>`));
    server.on("/twilio/menu", twiml(`<Say>thanks</Say><Pause length="30"/>`));
    const sim: RunningSimulator = await startSimulator({ publicBaseUrl: server.base + "/", accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, hotlineNumber: HOTLINE, clock: new ManualClock() });
    cleanups.push(() => sim.close());

    const page = await fetch(sim.origin + "/");
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(await page.text()).toContain("/sim/state");

    const placed = await post(sim.origin, "/sim/calls", { from: "+66812345678" });
    expect(placed.status).toBe(201);
    const sid = String(placed.body.sid);
    await sim.carrier.idle();
    expect(server.to("/twilio/voice")[0]?.signatureValid).toBe(true);
    const pressed = await post(sim.origin, `/sim/calls/${sid}/press`, { digits: "1" });
    expect(pressed.status).toBe(200);
    await sim.carrier.idle();
    const state = (await (await fetch(sim.origin + "/sim/state")).json()) as { calls: Array<{ sid: string; state: string; transcript: Array<{ text?: string }> }> };
    const call = state.calls.find((c) => c.sid === sid);
    expect(call?.transcript.map((p) => p.text)).toEqual(["กด 1", "thanks"]);
    expect(call?.state).toBe("pause");
    await post(sim.origin, `/sim/calls/${sid}/hangup`);
    await sim.carrier.idle();
    expect(server.to("/twilio/status")[0]?.params).toMatchObject({ CallSid: sid, CallStatus: "completed" });
    expect((await post(sim.origin, "/sim/calls/CA00/press", { digits: "1" })).status).toBe(404);
  });

  it("lets a person answer a ringing agent leg", async () => {
    const h = await startHarness();
    cleanups.push(() => h.close());
    const leg = await h.client.calls.create({ to: "client:alice", from: HOTLINE, twiml: "<Response><Say>caller waiting</Say><Pause length=\"60\"/></Response>" });
    await h.carrier.idle();
    const state = (await (await fetch(h.origin + "/sim/state")).json()) as { ringing: Array<{ sid: string }> };
    expect(state.ringing.map((r) => r.sid)).toEqual([leg.sid]);
    await post(h.origin, `/sim/calls/${leg.sid}/answer`);
    await h.carrier.idle();
    expect(h.carrier.call(leg.sid)?.heard()).toEqual(["caller waiting"]);
  });

  it("marks a Play whose audio is missing when verifyMedia is on", async () => {
    const h = await startHarness({ verifyMedia: true });
    cleanups.push(() => h.close());
    h.server.on("/audio/ok.mp3", { type: "audio/mpeg", body: "ID3" });
    h.server.on("/audio/gone.mp3", { status: 404, body: "" });
    h.server.on("/voice", twiml(`<Play>/audio/ok.mp3</Play><Play>/audio/gone.mp3</Play>`));
    const call = h.carrier.placeCall({ from: "+66812345678" });
    await h.carrier.idle();
    expect(call.transcript.map((p) => p.missing)).toEqual([false, true]);
  });
});
