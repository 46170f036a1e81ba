import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tables } from "../../db/storage.js";
import { findCall } from "../../src/calls/call-store.js";
import type { SimCall } from "../../src/carrier/index.js";
import { startCallCenter, type AgentHandle, type CallCenter } from "../support/call-center.js";

let cc: CallCenter;
let supervisor: string;
beforeAll(async () => {
  cc = await startCallCenter({ WRAP_UP_SECONDS: "45" });
  supervisor = (await cc.api("POST", "/api/users", { body: { name: "Pranee", role: "supervisor" } })).body.token;
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

async function controlsOf(callSid: string) {
  const { db } = cc.hotline.services.ctx;
  const { events } = tables(db);
  const rows = await db.select().from(events).where(and(eq(events.callSid, callSid), eq(events.type, "call.control"))).orderBy(events.id);
  return rows.map((e) => ({ ...e.data, userId: e.userId }));
}

describe("hold, mute and hang up on a live call", () => {
  it("an agent holds the caller through the API: the caller hears the hold prompt and not the agent, then is back", async () => {
    const { caller, agent, agentLeg } = await connectedCall("+66811000001");
    const held = await cc.api("POST", `/api/calls/${caller.sid}/hold`, { token: agent.token, body: { hold: true } });
    expect(held).toMatchObject({ status: 200, body: { hold: true } });
    await cc.settle();
    expect(caller.transcript.at(-1)).toMatchObject({ during: "hold" });
    expect(cc.carrier.hears(caller.sid, agentLeg.sid)).toBe(false);
    expect(cc.carrier.hears(agentLeg.sid, caller.sid)).toBe(false);
    expect(await agent.socket.next("call.control", (m) => m.held === true)).toMatchObject({ callSid: caller.sid, held: true, muted: false });

    await cc.api("POST", `/api/calls/${caller.sid}/hold`, { token: agent.token, body: { hold: false } });
    await cc.settle();
    expect(cc.carrier.hears(caller.sid, agentLeg.sid)).toBe(true);
    expect(await controlsOf(caller.sid)).toEqual([
      { control: "hold", on: true, agentId: agent.id, userId: agent.id },
      { control: "hold", on: false, agentId: agent.id, userId: agent.id },
    ]);
  });

  it("mutes the agent: the caller no longer hears them, the agent still hears the caller", async () => {
    const { caller, agent, agentLeg } = await connectedCall("+66811000002");
    expect((await cc.api("POST", `/api/calls/${caller.sid}/mute`, { token: agent.token, body: { muted: true } })).status).toBe(200);
    expect(cc.carrier.hears(caller.sid, agentLeg.sid)).toBe(false);
    expect(cc.carrier.hears(agentLeg.sid, caller.sid)).toBe(true);
    expect(cc.carrier.conference(caller.sid)!.participants.find((p) => p.callSid === agentLeg.sid)?.muted).toBe(true);
    await agent.socket.next("call.control", (m) => m.muted === true);
    await cc.api("POST", `/api/calls/${caller.sid}/mute`, { token: agent.token, body: { muted: false } });
    expect(cc.carrier.hears(caller.sid, agentLeg.sid)).toBe(true);
  });

  it("hang up ends the call as answered and starts the agent's wrap-up with its countdown", async () => {
    const { caller, agent } = await connectedCall("+66811000003");
    const after = agent.socket.messages.length;
    expect((await cc.api("POST", `/api/calls/${caller.sid}/hangup`, { token: agent.token })).status).toBe(200);
    await cc.settle();
    expect(caller.status).toBe("completed");
    expect(await findCall(cc.hotline.services.ctx.db, caller.sid)).toMatchObject({ state: "ended", outcome: "answered" });
    expect(await agent.socket.next("agent.status", (m) => m.status === "wrap_up", after)).toMatchObject({ wrapUpLeftSeconds: 45 });
    await agent.socket.next("call.ended", (m) => m.callSid === caller.sid, after);
  });

  it("refuses another agent's call, a call that is over, and a malformed body, with codes the desk can say in words", async () => {
    const { caller } = await connectedCall("+66811000004");
    const other = await cc.addAgent("Other", ["my"]);
    expect(await cc.api("POST", `/api/calls/${caller.sid}/hold`, { token: other.token, body: { hold: true } })).toMatchObject({ status: 403, body: { error: "not_your_call" } });
    expect(await cc.api("POST", `/api/calls/${caller.sid}/mute`, { token: other.token, body: { muted: "yes" } })).toMatchObject({ status: 400, body: { error: "bad_request" } });
    // A supervisor may hang up any call.
    expect((await cc.api("POST", `/api/calls/${caller.sid}/hangup`, { token: supervisor })).status).toBe(200);
    await cc.settle();
    expect(await cc.api("POST", `/api/calls/${caller.sid}/hold`, { token: supervisor, body: { hold: true } })).toMatchObject({ status: 409, body: { error: "call_not_live" } });
    expect(await cc.api("POST", `/api/calls/CAnope/hold`, { token: supervisor, body: { hold: true } })).toMatchObject({ status: 404, body: { error: "not_found" } });
  });

  it("a desk that reconnects mid-call gets the talk time since the conference, and the hold state", async () => {
    const { caller, agent } = await connectedCall("+66811000005");
    await cc.api("POST", `/api/calls/${caller.sid}/hold`, { token: agent.token, body: { hold: true } });
    await cc.clock.advance(95_000);
    await agent.socket.close();
    const { AgentSocket } = await import("../support/call-center.js");
    const again = await AgentSocket.open(`${cc.baseUrl.replace("http", "ws")}/ws`, agent.token);
    expect(await again.next("hello")).toMatchObject({ wrapUpSeconds: 45 });
    expect(await again.next("call.connected")).toMatchObject({ callSid: caller.sid, connectedSeconds: 95 });
    expect(await again.next("call.control")).toMatchObject({ held: true, muted: false });
    await again.close();
  });
});
