import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { first, tables } from "../../db/storage.js";
import { findCall } from "../../src/calls/call-store.js";
import { inTransaction } from "../../src/events/event-log.js";
import type { SimCall } from "../../src/carrier/index.js";
import { startCallCenter, type AgentHandle, type CallCenter } from "../support/call-center.js";

let cc: CallCenter;
let agencyId: number;
const AGENCY_PHONE = "+6653000111";
beforeAll(async () => {
  cc = await startCallCenter({ WRAP_UP_SECONDS: "5" });
  agencyId = await inTransaction(cc.hotline.services.ctx, async (tx) => {
    const { agencies } = tables(tx);
    const row = first(
      await tx
        .insert(agencies)
        .values({ name: "Chiang Mai child and family shelter", type: "child_family_shelter", province: "50", endpoint: AGENCY_PHONE, createdAt: cc.clock.now() })
        .returning({ id: agencies.id }),
    );
    return row!.id;
  });
});
afterAll(async () => cc.stopAll());

async function connectedCall(from: string): Promise<{ caller: SimCall; agent: AgentHandle; agentLeg: SimCall }> {
  const agent = await cc.addAgent(`Agent ${from}`, ["th"], { mode: "answer" });
  const caller = await cc.callIn(from, ["1", "1"]);
  await cc.settle();
  expect((await findCall(cc.hotline.services.ctx.db, caller.sid))?.state).toBe("connected");
  const agentLeg = cc.carrier.endpoint(agent.endpoint).calls.at(-1)!;
  return { caller, agent, agentLeg };
}

const inbound = () => cc.carrier.calls().filter((c) => c.direction === "inbound").length;
const inConference = (callSid: string) => cc.carrier.conference(callSid)?.participants.map((p) => p.callSid).sort() ?? [];
const participants = (caller: SimCall) => inConference(caller.sid);

/**
 * A whole warm transfer of the conversation under `callSid`: the caller's leg is held while the agency's
 * phone rings, the agency answers into the briefing, the agent completes and leaves caller and agency.
 */
async function warmTransfer(agent: AgentHandle, callSid: string, callerLeg: SimCall, agentLeg: SimCall, extra: { caseId?: number } = {}): Promise<SimCall> {
  const started = await cc.api("POST", `/api/calls/${callSid}/transfers`, { token: agent.token, body: { agencyId, mode: "warm", ...extra } });
  expect(started.status).toBe(201);
  await cc.settle();
  // The caller is on hold hearing the hold prompt while the agency's phone rings.
  expect(cc.carrier.conference(callSid)!.participants.find((p) => p.callSid === callerLeg.sid)?.hold).toBe(true);
  const agencyLeg = cc.carrier.endpoint(AGENCY_PHONE).answer();
  await cc.settle();
  await agent.socket.next("transfer.updated", (m) => m.status === "briefing");
  expect(inConference(callSid)).toEqual([callerLeg.sid, agentLeg.sid, agencyLeg.sid].sort());

  const done = await cc.api("POST", `/api/transfers/${started.body.id}/complete`, { token: agent.token });
  expect(done.body.status).toBe("completed");
  await cc.settle();
  expect(inConference(callSid)).toEqual([callerLeg.sid, agencyLeg.sid].sort());
  expect(cc.carrier.conference(callSid)!.participants.every((p) => !p.hold)).toBe(true);
  expect(callerLeg.ended).toBe(false);
  expect(agentLeg.ended).toBe(true);
  return agencyLeg;
}

describe("transferring a live caller to an agency", () => {
  it("a warm transfer the agency answers leaves caller and agency connected after the agent leaves, with no new inbound call", async () => {
    const { caller, agent, agentLeg } = await connectedCall("+66870000001");
    const calls = inbound();
    cc.carrier.endpoint(AGENCY_PHONE).setMode("manual");
    const opened = await cc.api("POST", "/api/cases", { token: agent.token, body: { category: "violence_child", province: "50", urgency: "crisis", channel: "hotline", callSid: caller.sid } });
    expect(opened.status).toBe(201);
    const agencyLeg = await warmTransfer(agent, caller.sid, caller, agentLeg, { caseId: opened.body.id });
    expect(inbound()).toBe(calls);
    // The transfer is recorded as a referral of the case, tracked to its deadline.
    const referrals = (await cc.api("GET", "/api/referrals")).body.items as Array<{ caseId: number; agencyId: number; status: string }>;
    expect(referrals.find((r) => r.caseId === opened.body.id)).toMatchObject({ agencyId, status: "sent" });
    const agents = (await cc.api("GET", "/api/agents")).body as Array<{ id: string; status: string }>;
    expect(agents.find((a) => a.id === agent.id)?.status).toBe("wrap_up");

    await agencyLeg.hangup();
    await cc.settle();
    expect(caller.ended).toBe(true);
    expect((await findCall(cc.hotline.services.ctx.db, caller.sid))?.outcome).toBe("answered");
    await agent.socket.setStatus("offline");
    await cc.clock.advance(5_000);
    await cc.settle();
  });

  it("a warm transfer the agency does not answer returns the caller to the same agent", async () => {
    const { caller, agent, agentLeg } = await connectedCall("+66870000002");
    await cc.clock.advance(6_000);
    cc.carrier.endpoint(AGENCY_PHONE).setMode("manual");
    const started = await cc.api("POST", `/api/calls/${caller.sid}/transfers`, { token: agent.token, body: { agencyId, mode: "warm" } });
    await cc.settle();
    await cc.clock.advance(31_000);
    await cc.settle();
    const list = await cc.api("GET", `/api/calls/${caller.sid}/transfers`, { token: agent.token });
    expect(list.body.items[0]).toMatchObject({ id: started.body.id, status: "returned" });
    expect(participants(caller)).toEqual([caller.sid, agentLeg.sid].sort());
    expect(cc.carrier.conference(caller.sid)!.participants.every((p) => !p.hold)).toBe(true);
    expect(await findCall(cc.hotline.services.ctx.db, caller.sid)).toMatchObject({ state: "connected", agentId: agent.id });
    await caller.hangup();
    await cc.settle();
    await agent.socket.setStatus("offline");
    await cc.clock.advance(5_000);
    await cc.settle();
  });

  it("a cold transfer: the agent leaves at once and the agency takes the caller", async () => {
    const { caller, agent, agentLeg } = await connectedCall("+66870000003");
    cc.carrier.endpoint(AGENCY_PHONE).setMode("manual");
    const started = await cc.api("POST", `/api/calls/${caller.sid}/transfers`, { token: agent.token, body: { agencyId, mode: "cold" } });
    expect(started.status).toBe(201);
    await cc.settle();
    expect(agentLeg.ended).toBe(true);
    expect(caller.ended).toBe(false);
    const agencyLeg = cc.carrier.endpoint(AGENCY_PHONE).answer();
    await cc.settle();
    expect(participants(caller)).toEqual([caller.sid, agencyLeg.sid].sort());
    expect(cc.carrier.conference(caller.sid)!.participants.every((p) => !p.hold)).toBe(true);
    const list = await cc.api("GET", `/api/calls/${caller.sid}/transfers`, { token: agent.token });
    expect(list.body.items[0].status).toBe("completed");
    await caller.hangup();
    await cc.settle();
    expect(agencyLeg.ended).toBe(true);
  });

  it("only the agent on the call may transfer it", async () => {
    const { caller, agent } = await connectedCall("+66870000004");
    const other = await cc.addAgent("Other", ["th"], { available: false });
    const res = await cc.api("POST", `/api/calls/${caller.sid}/transfers`, { token: other.token, body: { agencyId, mode: "warm" } });
    expect(res.status).toBe(403);
    const bad = await cc.api("POST", `/api/calls/${caller.sid}/transfers`, { token: agent.token, body: { agencyId: "x" } });
    expect(bad.status).toBe(400);
    await caller.hangup();
    await cc.settle();
  });
});

describe("transferring a caller the hotline called back", () => {
  it("goes warm only, and leaves the called-back caller with the agency on the leg the hotline placed", async () => {
    const from = "+66870000005";
    // Burmese: nobody else in this file speaks it, so the caller waits and asks to be called back.
    // Keys: Burmese, violence, then (waiting in the queue) the callback key.
    const asker = await cc.callIn(from, ["2", "1", "1"]);
    expect(asker.ended).toBe(true);

    cc.carrier.endpoint(from).setMode("answer");
    const agent = await cc.addAgent("Zaw", ["my"], { mode: "answer" });
    const pop = await agent.socket.next("call.offered");
    expect(pop.call).toMatchObject({ callSid: asker.sid, kind: "callback" });
    await cc.settle();
    const back = cc.carrier.calls().find((c) => c.to === from && c.direction === "outbound-api")!;
    const agentLeg = cc.carrier.endpoint(agent.endpoint).calls.at(-1)!;
    expect(participants(asker)).toEqual([back.sid, agentLeg.sid].sort());

    const cold = await cc.api("POST", `/api/calls/${asker.sid}/transfers`, { token: agent.token, body: { agencyId, mode: "cold" } });
    expect(cold.status).toBe(409);
    expect(cold.body.message).toMatch(/warm/);

    cc.carrier.endpoint(AGENCY_PHONE).setMode("manual");
    // The called-back leg is the one held, then left with the agency.
    const agencyLeg = await warmTransfer(agent, asker.sid, back, agentLeg);
    // The agency hanging up now ends the call for the caller too.
    await agencyLeg.hangup();
    await cc.settle();
    expect(back.ended).toBe(true);
  });
});
