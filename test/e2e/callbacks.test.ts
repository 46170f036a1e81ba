import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findCall } from "../../src/calls/call-store.js";
import { startCallCenter, type CallCenter } from "../support/call-center.js";

let cc: CallCenter;
beforeAll(async () => {
  cc = await startCallCenter({ WRAP_UP_SECONDS: "10", OFFER_TIMEOUT_SECONDS: "15", CALLBACK_RETRY_MINUTES: "60,120", CALLBACK_SLA_NORMAL_MINUTES: "120", CALLBACK_SLA_EMERGENCY_MINUTES: "15" });
});
afterAll(async () => cc.stopAll());

type Item = { id: number; number: string; reason: string; status: string; missedCalls: number; overdue: boolean; attempts: number; language: string | null; priority: string };

async function items(query = ""): Promise<Item[]> {
  const res = await cc.api("GET", `/api/callbacks${query}`);
  expect(res.status).toBe(200);
  return res.body.items;
}
const itemFor = async (number: string) => (await items("?limit=500")).filter((i) => i.number === number);

describe("every missed call becomes one callback item", () => {
  it("a hang-up in the IVR, in the queue and while an agent's phone rang each create exactly one item with that reason", async () => {
    const ivr = await cc.callIn("+66830000001", ["1"]);
    await ivr.hangup();
    const queued = await cc.callIn("+66830000002", ["1", "1"]);
    await queued.hangup();
    await cc.settle();
    const agent = await cc.addAgent("Ploy", ["km"]);
    const ringing = await cc.callIn("+66830000003", ["3", "1"]);
    await agent.socket.next("call.offered");
    await ringing.hangup();
    await cc.settle();
    expect((await findCall(cc.hotline.services.ctx.db, ringing.sid))?.outcome).toBe("abandoned_ringing");
    expect(await itemFor("+66830000001")).toMatchObject([{ reason: "abandoned_ivr", missedCalls: 1, status: "open" }]);
    expect(await itemFor("+66830000002")).toMatchObject([{ reason: "abandoned_queue", missedCalls: 1, language: "th" }]);
    expect(await itemFor("+66830000003")).toMatchObject([{ reason: "abandoned_ringing", language: "km" }]);
    // The agent whose phone rang is free again and was not blamed for the caller hanging up.
    const agents = (await cc.api("GET", "/api/agents")).body as Array<{ id: string; status: string }>;
    expect(agents.find((a) => a.id === agent.id)?.status).toBe("available");
    await agent.socket.setStatus("offline");
    await cc.settle();
  });

  it("an overflowed call creates an item with reason overflow", async () => {
    await cc.api("PUT", "/api/settings/lines", { body: { lines: 1 } });
    const holder = await cc.callIn("+66830000010", []);
    const over = await cc.callIn("+66830000011", []);
    expect(over.status).toBe("busy");
    expect(await itemFor("+66830000011")).toMatchObject([{ reason: "overflow", status: "open" }]);
    await holder.hangup();
    await cc.settle();
    await cc.api("PUT", "/api/settings/lines", { body: { lines: 30 } });
  });

  it("three abandoned calls from one number, written three ways, make one item with missedCalls 3; getting through closes it as reached", async () => {
    for (const from of ["0830000020", "+66830000020", "66830000020"]) {
      const c = await cc.callIn(from, ["1"]);
      await c.hangup();
      await cc.settle();
    }
    const [item] = await itemFor("+66830000020");
    expect(item).toMatchObject({ missedCalls: 3, status: "open" });
    expect(await itemFor("+66830000020")).toHaveLength(1);

    const agent = await cc.addAgent("Dao", ["th"], { mode: "answer" });
    const through = await cc.callIn("+66830000020", ["1", "5"]);
    await cc.settle();
    expect((await findCall(cc.hotline.services.ctx.db, through.sid))?.state).toBe("connected");
    const after = (await cc.api("GET", `/api/callbacks/${item!.id}`)).body;
    expect(after.status).toBe("reached");
    await through.hangup();
    await cc.settle();
    await cc.clock.advance(10_000);
    await agent.socket.setStatus("offline");
    await cc.settle();
  });

  it("a withheld number is listed as not_callable and never dialled", async () => {
    const c = await cc.callIn("anonymous", ["1"]);
    await c.hangup();
    await cc.settle();
    const listed = await items("?status=not_callable");
    const item = listed.find((i) => i.number === "anonymous");
    expect(item).toMatchObject({ status: "not_callable", reason: "abandoned_ivr" });
    const agent = await cc.addAgent("Mali", ["th"]);
    const claim = await cc.api("POST", `/api/callbacks/${item!.id}/claim`, { token: agent.token });
    expect(claim.status).toBe(409);
    await agent.socket.setStatus("offline");
    await cc.settle();
  });
});

describe("working the backlog", () => {
  it("a queued caller who asks for a callback keeps their place and is called back at their turn, before later callers, by an agent of their language", async () => {
    const asker = await cc.callIn("+66830000030", ["2", "2"]);
    const later = await cc.callIn("+66830000031", ["2", "2"]);
    await asker.waitFor("gather");
    asker.press("1");
    await cc.settle();
    expect(asker.ended).toBe(true);
    expect((await findCall(cc.hotline.services.ctx.db, asker.sid))?.outcome).toBe("callback_requested");
    const [item] = await itemFor("+66830000030");
    expect(item).toMatchObject({ reason: "requested", language: "my", status: "open" });
    // The later caller is still told they are second: the kept place counts.
    await cc.clock.advance(31_000);
    await cc.settle();
    expect(later.transcript.some((p) => p.url?.includes("/audio/my/queue-position"))).toBe(true);

    cc.carrier.endpoint("+66830000030").setMode("answer");
    const thaiOnly = await cc.addAgent("Niran", ["th"], { mode: "answer" });
    const agent = await cc.addAgent("Zaw", ["my"], { mode: "answer" });
    const pop = await agent.socket.next("call.offered");
    expect(pop.call).toMatchObject({ callSid: asker.sid, kind: "callback", language: "my" });
    await cc.settle();
    const back = cc.carrier.calls().find((c) => c.to === "+66830000030" && c.direction === "outbound-api");
    expect(back?.state).toBe("conference");
    const room = cc.carrier.conference(asker.sid);
    expect(room?.participants).toHaveLength(2);
    expect((await cc.api("GET", `/api/callbacks/${item!.id}`)).body.status).toBe("reached");
    expect((await findCall(cc.hotline.services.ctx.db, later.sid))?.state).toBe("queued");
    expect(thaiOnly.socket.of("call.offered")).toHaveLength(0);
    await back!.hangup();
    await later.hangup();
    await cc.settle();
    await cc.clock.advance(10_000);
    await agent.socket.setStatus("offline");
    await thaiOnly.socket.setStatus("offline");
    await cc.settle();
  });

  it("two agents claiming the same item at the same moment: one wins, the other gets 409", async () => {
    const c = await cc.callIn("+66830000040", ["1"]);
    await c.hangup();
    await cc.settle();
    const [item] = await itemFor("+66830000040");
    const a = await cc.addAgent("A", ["th"], { available: false });
    const b = await cc.addAgent("B", ["th"], { available: false });
    const results = await Promise.all([
      cc.api("POST", `/api/callbacks/${item!.id}/claim`, { token: a.token }),
      cc.api("POST", `/api/callbacks/${item!.id}/claim`, { token: b.token }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
  });

  it("a no-answer attempt is retried on schedule and closed as unreachable after the last try", async () => {
    const c = await cc.callIn("+66830000050", ["1"]);
    await c.hangup();
    await cc.settle();
    const [item] = await itemFor("+66830000050");
    const agent = await cc.addAgent("Retry", ["th"], { mode: "answer" });
    expect((await cc.api("POST", `/api/callbacks/${item!.id}/claim`, { token: agent.token })).status).toBe(200);
    expect((await cc.api("POST", `/api/callbacks/${item!.id}/call`, { token: agent.token })).status).toBe(202);
    await cc.settle();
    // The caller's phone rings out.
    await cc.clock.advance(31_000);
    await cc.settle();
    let now = (await cc.api("GET", `/api/callbacks/${item!.id}`)).body;
    expect(now).toMatchObject({ status: "open", attempts: 1, reason: "no_answer" });
    expect(now.attemptHistory[0].outcome).toBe("no_answer");
    // Not before its time...
    await cc.clock.advance(59 * 60_000);
    await cc.settle();
    expect((await cc.api("GET", `/api/callbacks/${item!.id}`)).body.attempts).toBe(1);
    // ...then automatically, through the queue, to a free agent.
    await cc.clock.advance(60_000);
    await cc.settle();
    await cc.clock.advance(31_000);
    await cc.settle();
    expect((await cc.api("GET", `/api/callbacks/${item!.id}`)).body).toMatchObject({ status: "open", attempts: 2 });
    await cc.clock.advance(120 * 60_000);
    await cc.settle();
    await cc.clock.advance(31_000);
    await cc.settle();
    now = (await cc.api("GET", `/api/callbacks/${item!.id}`)).body;
    expect(now).toMatchObject({ status: "unreachable", attempts: 3 });
    expect(now.attemptHistory.map((a: { outcome: string }) => a.outcome)).toEqual(["no_answer", "no_answer", "no_answer"]);
    await agent.socket.setStatus("offline");
    await cc.settle();
  });

  it("an item past its deadline shows overdue: true, and the emergency one comes first", async () => {
    const normal = await cc.callIn("+66830000060", ["1"]);
    await normal.hangup();
    const urgent = await cc.callIn("+66830000061", ["1", "9"]);
    await urgent.hangup();
    await cc.settle();
    let open = await items("?status=open");
    expect(open[0]).toMatchObject({ number: "+66830000061", priority: "emergency", overdue: false });
    await cc.clock.advance(16 * 60_000);
    open = await items("?status=open&overdue=true");
    expect(open.find((i) => i.number === "+66830000061")).toMatchObject({ overdue: true });
    expect(open.find((i) => i.number === "+66830000060")).toBeUndefined();
    const stats = (await cc.api("GET", "/api/stats")).body;
    expect(stats.callbacks.overdue).toBeGreaterThanOrEqual(1);
    const csv = await cc.api("GET", "/api/callbacks.csv?status=open");
    expect(csv.status).toBe(200);
    expect(String(csv.body).split("\n")[0]).toContain("id,number,language");
    expect(String(csv.body)).toContain("+66830000061");
  });

  it("agents see numbers masked and only items in their languages", async () => {
    const agent = await cc.addAgent("Masked", ["vi"], { available: false });
    const c = await cc.callIn("+66830000070", ["5"]);
    await c.hangup();
    await cc.settle();
    const res = await cc.api("GET", "/api/callbacks?status=open", { token: agent.token });
    expect(res.status).toBe(200);
    const numbers = res.body.items.map((i: Item) => i.number);
    expect(numbers).toContain("+66******070");
    expect(numbers).not.toContain("+66830000070");
    expect(res.body.items.every((i: Item) => i.language === null || i.language === "vi")).toBe(true);
  });

  it("an agent opening one item gets it in their languages only: another language's item is 404, as if it were not there", async () => {
    const agent = await cc.addAgent("Lingual", ["vi"], { available: false });
    const thai = await cc.callIn("+66830000075", ["1"]);
    await thai.hangup();
    const viet = await cc.callIn("+66830000076", ["5"]);
    await viet.hangup();
    await cc.settle();
    const [thaiItem] = await itemFor("+66830000075");
    const [vietItem] = await itemFor("+66830000076");
    expect(thaiItem!.language).toBe("th");
    expect((await cc.api("GET", `/api/callbacks/${thaiItem!.id}`, { token: agent.token })).status).toBe(404);
    const own = await cc.api("GET", `/api/callbacks/${vietItem!.id}`, { token: agent.token });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ id: vietItem!.id, language: "vi", number: "+66******076" });
    // A supervisor sees every language.
    expect((await cc.api("GET", `/api/callbacks/${thaiItem!.id}`)).status).toBe(200);
  });

  it("an attempt a machine answered, corrected to voicemail by the agent, is tried again; a wrong number is closed", async () => {
    const c = await cc.callIn("+66830000080", ["1"]);
    await c.hangup();
    await cc.settle();
    const [item] = await itemFor("+66830000080");
    const agent = await cc.addAgent("Corrector", ["th"], { mode: "answer" });
    cc.carrier.endpoint("+66830000080").setMode("answer");
    await cc.api("POST", `/api/callbacks/${item!.id}/claim`, { token: agent.token });
    await cc.api("POST", `/api/callbacks/${item!.id}/call`, { token: agent.token });
    await cc.settle();
    expect((await cc.api("GET", `/api/callbacks/${item!.id}`)).body.status).toBe("reached");
    const other = await cc.addAgent("Not me", ["th"], { available: false });
    expect((await cc.api("POST", `/api/callbacks/${item!.id}/outcome`, { token: other.token, body: { outcome: "voicemail" } })).status).toBe(403);
    const corrected = await cc.api("POST", `/api/callbacks/${item!.id}/outcome`, { token: agent.token, body: { outcome: "voicemail" } });
    expect(corrected.body).toMatchObject({ status: "open", attempts: 1, reason: "no_answer" });
    expect(corrected.body.nextAttemptAt).not.toBeNull();
    const wrong = await cc.api("POST", `/api/callbacks/${item!.id}/outcome`, { token: agent.token, body: { outcome: "wrong_number" } });
    expect(wrong.body.status).toBe("not_callable");
    for (const leg of cc.carrier.liveCalls()) await leg.hangup();
    await cc.settle();
    await agent.socket.setStatus("offline");
    await cc.settle();
  });
});
