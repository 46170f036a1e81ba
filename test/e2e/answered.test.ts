import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findCall } from "../../src/calls/call-store.js";
import { entryForCall } from "../../src/queue/queue-store.js";
import { findAgent } from "../../src/agents/presence.js";
import { startCallCenter, type AgentHandle, type CallCenter } from "../support/call-center.js";

// "Answered" means caller and agent were in the conference together, as the carrier reports it.
let cc: CallCenter;
beforeAll(async () => {
  cc = await startCallCenter({ WRAP_UP_SECONDS: "10", OFFER_TIMEOUT_SECONDS: "15", CALLBACK_RETRY_MINUTES: "60,120", RECONCILE_SECONDS: "600" });
});
afterAll(async () => cc.stopAll());

const db = () => cc.hotline.services.ctx.db;
const answeredToday = async () => (await cc.api("GET", "/api/stats")).body.today.answered as number;
const itemsFor = async (number: string) => ((await cc.api("GET", "/api/callbacks?limit=500")).body.items as Array<Record<string, unknown>>).filter((i) => i.number === number);
const statusOf = async (agent: AgentHandle) => (await findAgent(db(), agent.id))?.status;
async function offline(...agents: AgentHandle[]) {
  for (const leg of cc.carrier.liveCalls()) await leg.hangup();
  await cc.settle();
  await cc.clock.advance(11_000);
  for (const a of agents) await a.socket.setStatus("offline");
  await cc.settle();
}
/**
 * The REST request that would move this caller into the conference fails once: its retry waits on the
 * clock, so the gap between the agent's pickup and the caller's joining stays open until time moves.
 */
const holdCallerMove = (callSid: string) => cc.carrier.failRest({ status: 503, pathIncludes: `/Calls/${callSid}` });

describe("a call is answered only once caller and agent were in the conference together", () => {
  it("a caller who hangs up between the agent's pickup and the conference is abandoned while connecting, gets a callback item and is not counted answered", async () => {
    const before = await answeredToday();
    const agent = await cc.addAgent("Gap", ["th"]);
    const caller = await cc.callIn("+66840000001", ["1", "1"]);
    await agent.socket.next("call.offered", (m) => (m.call as { callSid: string }).callSid === caller.sid);
    const leg = await cc.carrier.endpoint(agent.endpoint).waitForRing();
    holdCallerMove(caller.sid);
    leg.answer();
    await cc.settle();
    expect(leg.state).toBe("conference");
    expect((await findCall(db(), caller.sid))?.state).toBe("ringing");
    expect((await entryForCall(db(), caller.sid))?.status).toBe("connecting");

    await caller.hangup();
    await cc.settle();
    expect(cc.carrier.metWith(caller.sid).size).toBe(0);
    expect(await findCall(db(), caller.sid)).toMatchObject({ outcome: "abandoned_ringing", connectedAt: null });
    expect(await itemsFor("+66840000001")).toMatchObject([{ reason: "abandoned_ringing", status: "open" }]);
    expect(await answeredToday()).toBe(before);
    // The agent is let go (not blamed, no wrap-up) and their leg is ended.
    expect(await statusOf(agent)).toBe("available");
    expect(leg.ended).toBe(true);
    await offline(agent);
  });

  it("an agent leg that ends before the caller joins puts the caller back at the head of the queue and the agent on break", async () => {
    const before = await answeredToday();
    const dropper = await cc.addAgent("Dropper", ["th"]);
    const caller = await cc.callIn("+66840000002", ["1", "1"]);
    const enqueuedAt = (await entryForCall(db(), caller.sid))?.enqueuedAt;
    await cc.clock.advance(2_000);
    const behind = await cc.callIn("+66840000003", ["1", "1"]);
    const leg = await cc.carrier.endpoint(dropper.endpoint).waitForRing();
    holdCallerMove(caller.sid);
    leg.answer();
    await cc.settle();
    await leg.hangup();
    await cc.settle();

    expect(cc.carrier.metWith(caller.sid).size).toBe(0);
    expect(await findCall(db(), caller.sid)).toMatchObject({ state: "queued", connectedAt: null, agentId: null });
    expect(await entryForCall(db(), caller.sid)).toMatchObject({ status: "waiting", enqueuedAt, agentLegSid: null });
    expect(await statusOf(dropper)).toBe("break");
    expect(dropper.socket.of("call.ended").some((m) => m.callSid === caller.sid)).toBe(true);
    expect(await answeredToday()).toBe(before);

    // The next free agent gets the caller who was put back, before the one who came later.
    await cc.clock.advance(1_000);
    await cc.settle();
    const next = await cc.addAgent("Next", ["th"]);
    const pop = await next.socket.next("call.offered");
    expect((pop.call as { callSid: string }).callSid).toBe(caller.sid);
    const nextLeg = await cc.carrier.endpoint(next.endpoint).waitForRing();
    nextLeg.answer();
    await cc.settle();
    expect(cc.carrier.metWith(caller.sid).has(nextLeg.sid)).toBe(true);
    expect((await findCall(db(), caller.sid))?.state).toBe("connected");
    expect(await answeredToday()).toBe(before + 1);
    expect((await findCall(db(), behind.sid))?.state).toBe("queued");
    await offline(dropper, next);
  });

  it("a phone agent's voicemail is skipped: the whisper asks for a key it never gets; an agent who presses 1 is connected", async () => {
    const before = await answeredToday();
    const voicemail = await cc.addAgent("Voicemail", ["my"], { endpoint: "+66899000001", mode: "voicemail" });
    const caller = await cc.callIn("+66840000004", ["2", "2"]);
    await cc.settle();
    const [vmLeg] = cc.carrier.endpoint("+66899000001").calls;
    // The whisper, in the agent's first language: the caller's language, the topic, the key.
    const heard = vmLeg!.transcript.map((p) => p.url ?? "").join(" ");
    expect(heard).toContain("/audio/my/whisper-language-my");
    expect(heard).toContain("/audio/my/whisper-topic-trafficking");
    expect(heard).toContain("/audio/my/whisper-accept");
    expect(vmLeg!.conference).toBeUndefined();
    await cc.clock.advance(7_000);
    await cc.settle();
    expect(vmLeg!.ended).toBe(true);
    expect(await statusOf(voicemail)).toBe("break");
    expect((await findCall(db(), caller.sid))?.state).toBe("queued");
    expect(cc.carrier.metWith(caller.sid).size).toBe(0);

    const presser = await cc.addAgent("Presser", ["th", "my"], { endpoint: "+66899000002", mode: "answer" });
    await cc.settle();
    const [leg] = cc.carrier.endpoint("+66899000002").calls;
    expect(leg!.heard().join(" ")).toContain("ภาษาพม่า");
    leg!.press("1");
    await cc.settle();
    expect(cc.carrier.metWith(caller.sid).has(leg!.sid)).toBe(true);
    expect((await findCall(db(), caller.sid))?.state).toBe("connected");
    expect(await statusOf(presser)).toBe("on_call");
    expect(await answeredToday()).toBe(before + 1);
    await offline(voicemail, presser);
  });
});

describe("conference events that never come", () => {
  it("the next reconciliation asks the carrier who is in the conference, and counts the call answered once", async () => {
    const before = await answeredToday();
    const agent = await cc.addAgent("Unheard", ["th"], { mode: "answer" });
    // Both joins are held back for an hour: as if the server had been unreachable when they were sent.
    cc.carrier.injectCallbackFault({ kind: "delay", delayMs: 3_600_000, match: { StatusCallbackEvent: "participant-join" }, times: 2 });
    const caller = await cc.callIn("+66840000007", ["1", "1"]);
    await cc.settle();
    expect(caller.state).toBe("conference");
    expect((await entryForCall(db(), caller.sid))?.status).toBe("connecting");
    expect(await answeredToday()).toBe(before);

    await cc.clock.advance(600_000);
    await cc.settle();
    await cc.hotline.reconciled();
    expect((await findCall(db(), caller.sid))?.state).toBe("connected");
    expect(await statusOf(agent)).toBe("on_call");
    expect(await answeredToday()).toBe(before + 1);
    // The held-back events arrive at last and change nothing.
    await cc.clock.advance(3_600_000);
    await cc.settle();
    expect(await answeredToday()).toBe(before + 1);
    await offline(agent);
  });
});

describe("call-backs", () => {
  async function missedItem(number: string) {
    const c = await cc.callIn(number, ["1"]);
    await c.hangup();
    await cc.settle();
    const [item] = await itemsFor(number);
    return { missed: c, item: item as { id: number } };
  }

  it("a call-back a voicemail answers is a voicemail attempt: nothing is said to it, the agent is told, and the retry schedule goes on", async () => {
    const { item } = await missedItem("+66840000005");
    const agent = await cc.addAgent("Caller-back", ["th"], { mode: "answer" });
    cc.carrier.endpoint("+66840000005").setMode("voicemail");
    expect((await cc.api("POST", `/api/callbacks/${item.id}/claim`, { token: agent.token })).status).toBe(200);
    expect((await cc.api("POST", `/api/callbacks/${item.id}/call`, { token: agent.token })).status).toBe(202);
    await cc.settle();
    const [machine] = cc.carrier.endpoint("+66840000005").calls;
    expect(machine!.ended).toBe(true);
    expect(machine!.heard()).toEqual([]);
    const detail = (await cc.api("GET", `/api/callbacks/${item.id}`)).body;
    expect(detail).toMatchObject({ status: "open", attempts: 1, reason: "no_answer" });
    expect(detail.attemptHistory.map((a: { outcome: string }) => a.outcome)).toEqual(["voicemail"]);
    const ended = await agent.socket.next("call.ended", (m) => m.reason === "callback_voicemail");
    expect(ended.reason).toBe("callback_voicemail");
    expect(await statusOf(agent)).toBe("available");
    await offline(agent);
  });

  it("after a call-back the agent's wrap-up is accepted under the screen-pop's callSid, and a second one replaces the first", async () => {
    const { missed, item } = await missedItem("+66840000006");
    const agent = await cc.addAgent("Wrapper", ["th"], { mode: "answer" });
    cc.carrier.endpoint("+66840000006").setMode("answer");
    await cc.api("POST", `/api/callbacks/${item.id}/claim`, { token: agent.token });
    await cc.api("POST", `/api/callbacks/${item.id}/call`, { token: agent.token });
    const pop = await agent.socket.next("call.offered");
    const callSid = (pop.call as { callSid: string }).callSid;
    expect(callSid).toBe(missed.sid);
    await cc.settle();
    expect((await cc.api("GET", `/api/callbacks/${item.id}`)).body.status).toBe("reached");
    await cc.carrier.endpoint(agent.endpoint).calls.at(-1)!.hangup();
    await cc.settle();
    expect(await statusOf(agent)).toBe("wrap_up");

    agent.socket.send({ type: "disposition", callSid, outcome: "advice_given", note: "first thoughts" });
    await agent.socket.next("ack", (m) => m.of === "disposition");
    const acks = agent.socket.of("ack").length;
    agent.socket.send({ type: "disposition", callSid, outcome: "referred", note: "referred to the shelter" });
    await agent.socket.next("ack", (m) => m.of === "disposition", acks);
    expect(agent.socket.of("error")).toHaveLength(0);
    expect((await cc.api("GET", `/api/callbacks/${item.id}`)).body.status).toBe("reached");

    // The next call from that number shows the call's one disposition: the later one.
    const again = await cc.callIn("+66840000006", ["1", "1"]);
    await cc.clock.advance(11_000);
    await cc.settle();
    const next = await agent.socket.next("call.offered", (m) => (m.call as { callSid: string }).callSid === again.sid);
    const earlier = (next.call as { history: Array<{ kind: string; callSid?: string; dispositions?: Array<{ outcome: string }> }> }).history.find((h) => h.callSid === missed.sid);
    expect(earlier?.dispositions?.map((d) => d.outcome)).toEqual(["referred"]);
    await offline(agent);
  });
});
