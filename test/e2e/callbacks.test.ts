import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mostUrgent } from "../../src/callbacks/backlog-order.js";
import { findCall } from "../../src/calls/call-store.js";
import { startCallCenter, type CallCenter } from "../support/call-center.js";

let cc: CallCenter;
beforeAll(async () => {
  cc = await startCallCenter({ WRAP_UP_SECONDS: "10", OFFER_TIMEOUT_SECONDS: "15", CALLBACK_RETRY_MINUTES: "60,120", CALLBACK_SLA_NORMAL_MINUTES: "120", CALLBACK_SLA_EMERGENCY_MINUTES: "15" });
});
afterAll(async () => cc.stopAll());

type Item = { id: number; number: string; reason: string; status: string; missedCalls: number; overdue: boolean; attempts: number; language: string | null; priority: string; firstMissedAt: string };

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

describe("the backlog's order", () => {
  type Ranked = { id: number; priority: string; overdue: boolean; firstMissedAt: number };
  /** The order the contract promises: emergency first, then overdue, then the oldest first miss (then the older item). */
  const urgentFirst = (a: Ranked, b: Ranked) =>
    Number(b.priority === "emergency") - Number(a.priority === "emergency") || Number(b.overdue) - Number(a.overdue) || a.firstMissedAt - b.firstMissedAt || a.id - b.id;
  const ranked = (i: Item): Ranked => ({ ...i, firstMissedAt: Date.parse(i.firstMissedAt) });
  const expectInOrder = (list: Ranked[], what: string) => expect(list.map((i) => i.id), what).toEqual([...list].sort(urgentFirst).map((i) => i.id));

  /** Every view of the list (each status, the items still to call, all of them, page by page) and the supervisors' live list. */
  async function expectUrgentFirst(): Promise<Ranked[]> {
    for (const status of ["open", "claimed", "reached", "not_callable", "unreachable"]) expectInOrder((await items(`?status=${status}&limit=500`)).map(ranked), status);
    const all = (await items("?limit=500")).map(ranked);
    expectInOrder(all, "all");
    const toCall = (await items("?status=open,claimed&limit=500")).map(ranked);
    expectInOrder(toCall, "open,claimed");
    const pages = [...(await items("?status=claimed,open&limit=3")), ...(await items("?status=claimed,open&limit=3&offset=3"))];
    expect(pages.map((i) => i.id)).toEqual(toCall.slice(0, 6).map((i) => i.id));
    const ctx = cc.hotline.services.ctx;
    const pushed = await mostUrgent(ctx, ctx.clock.now(), 20);
    expect(pushed.map((i) => i.id)).toEqual(toCall.slice(0, 20).map((i) => i.id));
    return all;
  }
  const missed = async (from: string, keys: string[]) => {
    const c = await cc.callIn(from, keys);
    await c.hangup();
    await cc.settle();
    return (await itemFor(from)).find((i) => i.status === "open" || i.status === "claimed")!;
  };

  /**
   * An item older but due later than another: a normal miss, an emergency from another number ten minutes
   * later, then the first caller again as an emergency, which brings their deadline forward to 15 minutes
   * from then. Between the two deadlines the newer item is overdue and the older is not.
   */
  async function crossedDeadlines(older: string, newer: string) {
    await missed(older, ["1"]);
    await cc.clock.advance(10 * 60_000);
    const second = await missed(newer, ["1", "9"]);
    await cc.clock.advance(10 * 60_000);
    const first = await missed(older, ["1", "9"]);
    return { first, second };
  }
  const position = (list: Ranked[], id: number) => list.findIndex((i) => i.id === id);

  it("holds after every kind of change: new misses, deadlines passing, a repeat miss turning an item emergency, claims given and expired, items closed and reopened", async () => {
    const { first, second } = await crossedDeadlines("+66830000101", "+66830000102");
    expect(first).toMatchObject({ priority: "emergency", overdue: false });
    await missed("+66830000103", ["1"]);
    await expectUrgentFirst();
    // The newer emergency item's deadline passes first: it comes first, though the other is older.
    await cc.clock.advance(6 * 60_000);
    let all = await expectUrgentFirst();
    expect(all.find((i) => i.id === second.id)).toMatchObject({ overdue: true });
    expect(all.find((i) => i.id === first.id)).toMatchObject({ overdue: false });
    expect(position(all, second.id)).toBeLessThan(position(all, first.id));
    // Then the older one's: the oldest first again.
    await cc.clock.advance(10 * 60_000);
    all = await expectUrgentFirst();
    expect(position(all, first.id)).toBeLessThan(position(all, second.id));

    const agent = await cc.addAgent("Order", ["th"], { mode: "answer", available: false });
    expect((await cc.api("POST", `/api/callbacks/${first.id}/claim`, { token: agent.token })).status).toBe(200);
    await expectUrgentFirst();
    // The claim runs out unused (10 minutes): the item is open again.
    await cc.clock.advance(11 * 60_000);
    expect((await expectUrgentFirst()).find((i) => i.id === first.id)).toMatchObject({ status: "open" });

    // Called back and reached before its deadline; another caller missed a minute later; both deadlines
    // pass; then the first is reopened (a machine had answered). It was closed when its deadline passed, yet
    // it is overdue now, and before the other, younger overdue item.
    const fresh = await missed("+66830000105", ["1"]);
    await agent.socket.setStatus("available");
    cc.carrier.endpoint("+66830000105").setMode("answer");
    await cc.api("POST", `/api/callbacks/${fresh.id}/claim`, { token: agent.token });
    expect((await cc.api("POST", `/api/callbacks/${fresh.id}/call`, { token: agent.token })).status).toBe(202);
    await cc.settle();
    expect((await expectUrgentFirst()).find((i) => i.id === fresh.id)).toMatchObject({ status: "reached", overdue: false });
    for (const leg of cc.carrier.liveCalls()) await leg.hangup();
    await cc.settle();
    await agent.socket.setStatus("offline");
    await cc.settle();
    await cc.clock.advance(60_000);
    const younger = await missed("+66830000107", ["1"]);
    await cc.clock.advance(121 * 60_000);
    await expectUrgentFirst();
    const reopened = await cc.api("POST", `/api/callbacks/${fresh.id}/outcome`, { token: agent.token, body: { outcome: "voicemail" } });
    expect(reopened.body).toMatchObject({ status: "open", overdue: true });
    all = await expectUrgentFirst();
    expect(all.find((i) => i.id === younger.id)).toMatchObject({ overdue: true });
    expect(position(all, fresh.id)).toBeLessThan(position(all, younger.id));
  });

  it("follows the clock when it is set back: an item marked overdue whose deadline is ahead again is not overdue", async () => {
    const ctx = cc.hotline.services.ctx;
    const { first, second } = await crossedDeadlines("+66830000108", "+66830000109");
    await cc.clock.advance(16 * 60_000);
    // Both overdue now, the older first.
    await expectUrgentFirst();
    // Four minutes earlier, only the newer one was.
    const earlier = ctx.clock.now() - 4 * 60_000;
    const listed = (await mostUrgent(ctx, earlier, 500)).map((r) => ({ ...r, overdue: r.dueAt <= earlier }));
    expect(listed.find((r) => r.id === first.id)).toMatchObject({ overdue: false });
    expect(listed.find((r) => r.id === second.id)).toMatchObject({ overdue: true });
    expectInOrder(listed, "four minutes earlier");
    // And forward again.
    await expectUrgentFirst();
  });
});
