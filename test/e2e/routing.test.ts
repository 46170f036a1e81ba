import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findCall } from "../../src/calls/call-store.js";
import { startCallCenter, type CallCenter } from "../support/call-center.js";

let cc: CallCenter;
beforeAll(async () => {
  cc = await startCallCenter({ LINES: "30", WRAP_UP_SECONDS: "30", OFFER_TIMEOUT_SECONDS: "15" });
});
afterAll(async () => cc.stopAll());

const db = () => cc.hotline.services.ctx.db;

/** Ends every live call so each test starts from empty lines. */
async function hangUpAll() {
  for (const c of cc.carrier.liveCalls()) if (c.direction === "inbound") await c.hangup();
  await cc.settle();
  for (const c of cc.carrier.liveCalls()) await c.hangup();
  await cc.settle();
  await cc.clock.advance(60_000);
  await cc.settle();
}

describe("routing calls to agents by language and priority", () => {
  it("a Burmese caller is routed to the Burmese-speaking agent, not the idle Thai-only one, and they are connected in a conference", async () => {
    const thai = await cc.addAgent("Somchai", ["th"]);
    await cc.clock.advance(1_000);
    const burmese = await cc.addAgent("Aung", ["my", "th"]);
    const caller = await cc.callIn("+66820000001", ["2", "1"]);
    expect(await findCall(db(), caller.sid)).toMatchObject({ state: "ringing", language: "my", agentId: burmese.id });

    const pop = await burmese.socket.next("call.offered");
    expect(pop.call).toMatchObject({ callSid: caller.sid, from: "+66820000001", language: "my", topic: "violence", priority: "normal" });
    expect(thai.socket.of("call.offered")).toHaveLength(0);

    const ringing = cc.carrier.endpoint(burmese.endpoint).ringing();
    expect(ringing).toHaveLength(1);
    ringing[0]!.answer();
    await cc.settle();
    expect(await findCall(db(), caller.sid)).toMatchObject({ state: "connected" });
    const room = cc.carrier.conference(caller.sid);
    expect(room?.participants.map((p) => p.callSid).sort()).toEqual([caller.sid, ringing[0]!.sid].sort());
    await burmese.socket.next("call.connected");

    await cc.clock.advance(120_000);
    await caller.hangup();
    await cc.settle();
    expect(await findCall(db(), caller.sid)).toMatchObject({ state: "ended", outcome: "answered" });
    const agents = (await cc.api("GET", "/api/agents")).body as Array<{ id: string; status: string }>;
    expect(agents.find((a) => a.id === burmese.id)?.status).toBe("wrap_up");
    await cc.clock.advance(30_000);
    await cc.settle();
    const after = (await cc.api("GET", "/api/agents")).body as Array<{ id: string; status: string }>;
    expect(after.find((a) => a.id === burmese.id)?.status).toBe("available");
    await thai.socket.setStatus("offline");
    await burmese.socket.setStatus("offline");
    await cc.settle();
  });

  it("an emergency caller overtakes earlier normal callers, and positions count only callers of the same language ahead", async () => {
    await hangUpAll();
    const first = await cc.callIn("+66820000011", ["5", "1"]);
    const second = await cc.callIn("+66820000012", ["5", "2"]);
    await cc.callIn("+66820000013", ["1", "1"]);
    await cc.clock.advance(31_000);
    await cc.settle();
    const announced = second.transcript.filter((p) => p.text && /\b2\b/.test(p.text) && p.language === "vi-VN");
    expect(announced.length).toBeGreaterThan(0);
    const urgent = await cc.callIn("+66820000014", ["5", "9"]);
    const agent = await cc.addAgent("Lan", ["vi"]);
    const pop = await agent.socket.next("call.offered");
    expect(pop.call).toMatchObject({ callSid: urgent.sid, priority: "emergency" });
    expect((await findCall(db(), first.sid))?.state).toBe("queued");
    await hangUpAll();
    await agent.socket.setStatus("offline");
  });

  it("an agent who ignores an offer is put on break and the call is offered to the next agent first", async () => {
    const a = await cc.addAgent("Kham", ["lo"]);
    await cc.clock.advance(1_000);
    const b = await cc.addAgent("Noy", ["lo"]);
    const early = await cc.callIn("+66820000021", ["4", "3"]);
    await a.socket.next("call.offered");
    const later = await cc.callIn("+66820000022", ["4", "3"]);
    const bPop = await b.socket.next("call.offered");
    expect(bPop.call).toMatchObject({ callSid: later.sid });
    cc.carrier.endpoint(b.endpoint).answer();
    await cc.settle();
    // Nobody answers a's phone: the ring times out at the carrier.
    await cc.clock.advance(16_000);
    await cc.settle();
    const agents = (await cc.api("GET", "/api/agents")).body as Array<{ id: string; status: string }>;
    expect(agents.find((x) => x.id === a.id)?.status).toBe("break");
    expect((await findCall(db(), early.sid))?.state).toBe("queued");
    // When b is free again the early call, back at the head of the queue, goes to b first.
    await later.hangup();
    await cc.settle();
    await cc.clock.advance(30_000);
    await cc.settle();
    const again = await b.socket.next("call.offered", (m) => (m.call as { callSid: string }).callSid === early.sid);
    expect(again).toBeTruthy();
    expect(await findCall(db(), early.sid)).toMatchObject({ state: "ringing", agentId: b.id });
    await hangUpAll();
    await a.socket.setStatus("offline");
    await b.socket.setStatus("offline");
  });

  it("a caller who hangs up while waiting frees the line and is stored as abandoned in the queue, with their position", async () => {
    await hangUpAll();
    const before = (await cc.hotline.services.figures()).lines.inUse;
    await cc.callIn("+66820000031", ["6", "5"]);
    const caller = await cc.callIn("+66820000032", ["6", "5"]);
    expect((await cc.hotline.services.figures()).lines.inUse).toBe(before + 2);
    await cc.clock.advance(45_000);
    await caller.hangup();
    await cc.settle();
    expect(await findCall(db(), caller.sid)).toMatchObject({ state: "ended", outcome: "abandoned_queue", queuePosition: 2, holdsLine: false });
    expect((await cc.hotline.services.figures()).lines.inUse).toBe(before + 1);
    await hangUpAll();
  });
});

describe("lines", () => {
  it("with 3 lines a 4th simultaneous call overflows and is stored; raising lines to 4 lets the next call in", async () => {
    await hangUpAll();
    expect((await cc.api("PUT", "/api/settings/lines", { body: { lines: 3 } })).status).toBe(200);
    const calls = [];
    for (let i = 0; i < 3; i++) calls.push(await cc.callIn(`+6682000004${i}`, []));
    const fourth = await cc.callIn("+66820000049", []);
    expect(fourth.status).toBe("busy");
    const stored = await findCall(db(), fourth.sid);
    expect(stored).toMatchObject({ outcome: "overflow", fromE164: "+66820000049", holdsLine: false });
    expect((await cc.api("PUT", "/api/settings/lines", { body: { lines: 4 } })).body).toMatchObject({ capacity: 4, inUse: 3 });
    const fifth = await cc.callIn("+66820000050", []);
    expect((await findCall(db(), fifth.sid))?.state).toBe("ivr");
    const stats = (await cc.api("GET", "/api/stats")).body;
    expect(stats.lines).toEqual({ capacity: 4, inUse: 4 });
    expect(stats.today.overflow).toBeGreaterThanOrEqual(1);
    await hangUpAll();
    await cc.api("PUT", "/api/settings/lines", { body: { lines: 30 } });
  });
});
