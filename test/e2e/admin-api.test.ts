import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { first, tables } from "../../db/storage.js";
import { sampleTrend } from "../../src/stats/trend-history.js";
import { startCallCenter, type AgentHandle, type CallCenter } from "../support/call-center.js";

let cc: CallCenter;
let supervisorToken: string;
let thai: AgentHandle;
let burmese: AgentHandle;
beforeAll(async () => {
  cc = await startCallCenter({ LINES: "10" });
  supervisorToken = (await cc.api("POST", "/api/users", { body: { name: "Pranee", role: "supervisor" } })).body.token;
  thai = await cc.addAgent("Somchai", ["th"], { available: false });
  burmese = await cc.addAgent("Aye", ["my"], { available: false });
});
afterAll(async () => cc?.stopAll());

const db = () => cc.hotline.services.ctx.db;
const auditsOf = async (action: string) => {
  const { events } = tables(db());
  return db().select().from(events).where(eq(events.type, `audit.${action}`));
};
const agencyCount = async () => (await db().select().from(tables(db()).agencies)).length;

/** A caller who hangs up in the queue (nobody available) leaves one open callback item. */
async function missedCaller(from: string, keys: string[]) {
  const call = await cc.callIn(from, keys);
  await cc.clock.advance(20_000);
  await call.hangup();
  await cc.settle();
  const list = await cc.api("GET", `/api/callbacks?status=open&digits=${from.slice(-4)}`);
  expect(list.body.items).toHaveLength(1);
  return list.body.items[0] as { id: number; number: string; language: string };
}

describe("the callback backlog for the admin pages", () => {
  let thaiItem: { id: number };
  it("finds items by the last digits of the number, for supervisors only, audited as a search without the digits", async () => {
    thaiItem = await missedCaller("+66811114821", ["1", "1"]);
    await missedCaller("+66822229999", ["2", "2"]);
    const found = await cc.api("GET", "/api/callbacks?digits=4821", { token: supervisorToken });
    expect(found.status).toBe(200);
    expect(found.body.items.map((i: { number: string }) => i.number)).toEqual(["+66811114821"]);
    expect(found.body.total).toBe(1);
    const twoDigits = await cc.api("GET", "/api/callbacks?digits=99&status=open", { token: supervisorToken });
    expect(twoDigits.body.items.map((i: { number: string }) => i.number)).toEqual(["+66822229999"]);
    expect((await cc.api("GET", "/api/callbacks?digits=0000", { token: supervisorToken })).body).toMatchObject({ items: [], total: 0 });

    const audits = (await auditsOf("callbacks_listed")).filter((e) => e.data.search === "digits");
    expect(audits.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(audits)).not.toMatch(/4821|9999/);

    expect((await cc.api("GET", "/api/callbacks?digits=4821", { token: thai.token })).status).toBe(403);
    expect((await cc.api("GET", "/api/callbacks?digits=48a1", { token: supervisorToken })).status).toBe(400);
    expect((await cc.api("GET", "/api/callbacks?digits=1", { token: supervisorToken })).status).toBe(400);
  });

  it("a supervisor hands an item to an agent who speaks its language: it becomes theirs and their desktop hears of it", async () => {
    const before = thai.socket.messages.length;
    expect((await cc.api("POST", `/api/callbacks/${thaiItem.id}/assign`, { token: thai.token, body: { agentId: thai.id } })).status).toBe(403);
    const wrongLanguage = await cc.api("POST", `/api/callbacks/${thaiItem.id}/assign`, { token: supervisorToken, body: { agentId: burmese.id } });
    expect(wrongLanguage).toMatchObject({ status: 409, body: { error: "conflict", message: expect.stringMatching(/language/) } });
    expect((await cc.api("POST", `/api/callbacks/${thaiItem.id}/assign`, { token: supervisorToken, body: { agentId: "nobody" } })).status).toBe(404);
    expect((await cc.api("POST", "/api/callbacks/99999/assign", { token: supervisorToken, body: { agentId: thai.id } })).status).toBe(404);
    expect((await cc.api("POST", `/api/callbacks/${thaiItem.id}/assign`, { token: supervisorToken, body: {} })).status).toBe(400);

    const assigned = await cc.api("POST", `/api/callbacks/${thaiItem.id}/assign`, { token: supervisorToken, body: { agentId: thai.id } });
    expect(assigned.status).toBe(200);
    expect(assigned.body).toMatchObject({ id: thaiItem.id, status: "claimed", claimedBy: thai.id });
    await thai.socket.next("callbacks.changed", () => true, before);
    const { events } = tables(db());
    const claimed = first(await db().select().from(events).where(and(eq(events.type, "callback.claimed"), eq(events.callbackId, thaiItem.id))).limit(1));
    expect(claimed).toMatchObject({ userId: thai.id, data: { assignedBy: expect.any(String) } });
    // Theirs to call back now: the agent's own list shows the claim.
    const mine = await cc.api("GET", "/api/callbacks?status=claimed", { token: thai.token });
    expect(mine.body.items.map((i: { id: number }) => i.id)).toContain(thaiItem.id);
  });

  it("handing an item another agent holds is refused with 409", async () => {
    const other = await cc.addAgent("Malee", ["th"], { available: false });
    const res = await cc.api("POST", `/api/callbacks/${thaiItem.id}/assign`, { token: supervisorToken, body: { agentId: other.id } });
    expect(res).toMatchObject({ status: 409, body: { message: "another agent has claimed this callback" } });
    // Handing it again to the one who holds it changes nothing.
    expect((await cc.api("POST", `/api/callbacks/${thaiItem.id}/assign`, { token: supervisorToken, body: { agentId: thai.id } })).status).toBe(200);
  });
});

describe("the agency import preview", () => {
  const csv = ["name,type,province,endpoint,hours,categories", "Preview office (test),provincial_office,50,+6653100001,24h,", "Nowhere (test),police,Atlantis,,24h,", "Bad category (test),police,10,,24h,nope"].join("\n");
  const post = (text: string, query = "", token = supervisorToken) =>
    fetch(`${cc.baseUrl}/api/agencies/import${query}`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "text/csv" }, body: text }).then(async (r) => ({ status: r.status, body: await r.json() }));

  it("?dryRun=1 reports every row's error and what would be created, and writes nothing", async () => {
    const before = await agencyCount();
    const preview = await post(csv, "?dryRun=1");
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ dryRun: true, created: 1, updated: 0 });
    expect(preview.body.errors.map((e: { line: number }) => e.line)).toEqual([3, 4]);
    expect(preview.body.errors[0].message).toMatch(/Atlantis/);
    expect(preview.body.errors[1].message).toMatch(/nope/);
    expect(await agencyCount()).toBe(before);
    const { events } = tables(db());
    expect(await db().select().from(events).where(eq(events.type, "agency.imported"))).toEqual([]);

    const real = await post(csv);
    expect(real.body).toMatchObject({ dryRun: false, created: 1, errors: [{ line: 3 }, { line: 4 }] });
    expect(await agencyCount()).toBe(before + 1);
    expect((await post(csv, "?dryRun=1")).body).toMatchObject({ created: 0, updated: 1 });
  });

  it("an agent may not preview an import, and a bad dryRun value is a 400", async () => {
    expect((await post(csv, "?dryRun=1", thai.token)).status).toBe(403);
    expect((await post(csv, "?dryRun=maybe")).status).toBe(400);
  });
});

describe("the wallboard's history and agents", () => {
  it("GET /api/stats/history gives one point a minute of lines in use and callers waiting, from the calls' timestamps", async () => {
    for (const call of cc.carrier.liveCalls()) await call.hangup();
    await cc.settle();
    await cc.clock.advance(10 * 60_000);
    const waiter = await cc.callIn("+66833330001", ["2", "1"]);
    await cc.clock.advance(5 * 60_000);
    await waiter.hangup();
    await cc.settle();
    await cc.clock.advance(2 * 60_000);

    const res = await cc.api("GET", "/api/stats/history?minutes=10", { token: supervisorToken });
    expect(res.status).toBe(200);
    expect(res.body.stepSeconds).toBe(60);
    expect(res.body.points).toHaveLength(11);
    const waiting = res.body.points.map((p: { waiting: number }) => p.waiting);
    const inUse = res.body.points.map((p: { inUse: number }) => p.inUse);
    // Minutes -10..0: the caller arrived at -7, joined the Burmese queue at once (nobody speaks it) and left at -2.
    expect(inUse).toEqual([0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0]);
    expect(waiting).toEqual([0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0]);
    expect((await cc.api("GET", "/api/stats/history", { token: thai.token })).status).toBe(403);
    expect((await cc.api("GET", "/api/stats/history?minutes=0", { token: supervisorToken })).status).toBe(400);
    expect((await cc.api("GET", "/api/stats/history", { token: supervisorToken })).body.points).toHaveLength(181);
  });

  it("a call that overflowed holds no line; one still live counts to the end of the window", () => {
    const t = (m: number) => m * 60_000;
    const points = sampleTrend(
      [
        { createdAt: t(1), queuedAt: null, connectedAt: null, endedAt: t(1) + 1000, outcome: "overflow" },
        { createdAt: t(1), queuedAt: t(2), connectedAt: t(3), endedAt: null, outcome: null },
      ],
      0,
      t(4),
    );
    expect(points.map((p) => [p.inUse, p.waiting])).toEqual([[0, 0], [1, 0], [1, 1], [1, 0], [1, 0]]);
  });

  it("GET /api/stats lists the agents on duty with their state, since when, and their call's language and topic", async () => {
    burmese.socket.send({ type: "status", status: "available" });
    await cc.settle();
    const call = await cc.callIn("+66844440001", ["2", "2"]);
    cc.carrier.endpoint(burmese.endpoint).answer();
    await cc.settle();
    const { onDuty } = (await cc.api("GET", "/api/stats", { token: supervisorToken })).body;
    const aye = onDuty.find((a: { id: string }) => a.id === burmese.id);
    expect(aye).toMatchObject({ name: "Aye", status: "on_call", languages: ["my"], call: { language: "my", topic: "trafficking", priority: "normal" } });
    expect(Date.parse(aye.statusSince)).toBeLessThanOrEqual(cc.clock.now());
    expect(JSON.stringify(onDuty)).not.toMatch(/\+668/);
    // Offline agents are not on duty.
    expect(onDuty.some((a: { id: string }) => a.id === thai.id)).toBe(false);
    await call.hangup();
    await cc.settle();
  });
});
