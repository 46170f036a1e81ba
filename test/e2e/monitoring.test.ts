import { and, eq, like } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tables } from "../../db/storage.js";
import { findCall } from "../../src/calls/call-store.js";
import type { SimCall } from "../../src/carrier/index.js";
import { startCallCenter, type AgentHandle, type CallCenter } from "../support/call-center.js";

let cc: CallCenter;
let supervisor: { id: string; token: string };
const SUPERVISOR_PHONE = "+66899000111";
beforeAll(async () => {
  cc = await startCallCenter();
  supervisor = (await cc.api("POST", "/api/users", { body: { name: "Pranee", role: "supervisor" } })).body;
  cc.carrier.endpoint(SUPERVISOR_PHONE).setMode("answer");
});
afterAll(async () => cc.stopAll());

async function connectedCall(from: string): Promise<{ caller: SimCall; agent: AgentHandle; agentLeg: SimCall }> {
  const agent = await cc.addAgent(`Agent ${from}`, ["th"], { mode: "answer" });
  const caller = await cc.callIn(from, ["1", "1"]);
  await cc.settle();
  const agentLeg = cc.carrier.endpoint(agent.endpoint).calls.at(-1)!;
  return { caller, agent, agentLeg };
}

/** Who hears whom in the caller's conference, as "listener<speaker" pairs. */
function audio(legs: Record<string, string>) {
  const pairs: string[] = [];
  for (const [ln, l] of Object.entries(legs)) for (const [sn, s] of Object.entries(legs)) if (cc.carrier.hears(l, s)) pairs.push(`${ln}<${sn}`);
  return pairs.sort();
}

const monitor = (callSid: string, body: unknown) => cc.api("POST", `/api/calls/${callSid}/monitor`, { token: supervisor.token, body });
async function auditOf(callSid: string) {
  const { db } = cc.hotline.services.ctx;
  const { events } = tables(db);
  const rows = await db.select().from(events).where(and(eq(events.callSid, callSid), like(events.type, "audit.call_monitored"))).orderBy(events.id);
  return rows.map((e) => ({ mode: e.data.mode, change: e.data.change, by: e.userId }));
}

describe("a supervisor on a live call", () => {
  it("listens, whispers to the agent, barges in and leaves, audited and shown to the agent; the call goes on as it was", async () => {
    const { caller, agent, agentLeg } = await connectedCall("+66812000001");
    const started = await monitor(caller.sid, { mode: "listen", endpoint: SUPERVISOR_PHONE });
    expect(started).toMatchObject({ status: 201, body: { callSid: caller.sid, mode: "listen" } });
    const sup = started.body.id as string;
    await cc.settle();
    const legs = { caller: caller.sid, agent: agentLeg.sid, sup };
    // Listen: the supervisor hears both; nobody hears the supervisor.
    expect(audio(legs)).toEqual(["agent<caller", "caller<agent", "sup<agent", "sup<caller"]);
    expect(await agent.socket.next("call.monitored")).toMatchObject({ callSid: caller.sid, mode: "listen", by: "Pranee" });

    // Whisper: the agent hears the supervisor, the caller does not.
    expect((await cc.api("PATCH", `/api/calls/${caller.sid}/monitor/${sup}`, { token: supervisor.token, body: { mode: "whisper" } })).status).toBe(200);
    expect(audio(legs)).toEqual(["agent<caller", "agent<sup", "caller<agent", "sup<agent", "sup<caller"]);
    expect(cc.carrier.conference(caller.sid)!.participants.find((p) => p.callSid === sup)).toMatchObject({ coaching: true, callSidToCoach: agentLeg.sid, muted: false });
    await agent.socket.next("call.monitored", (m) => m.mode === "whisper");

    // Barge: everyone hears everyone.
    await cc.api("PATCH", `/api/calls/${caller.sid}/monitor/${sup}`, { token: supervisor.token, body: { mode: "barge" } });
    expect(audio(legs)).toHaveLength(6);
    await agent.socket.next("call.monitored", (m) => m.mode === "barge");

    // The supervisor hangs up: the call is as it was.
    await cc.carrier.call(sup)!.hangup();
    await cc.settle();
    expect(await agent.socket.next("call.monitored", (m) => m.mode === "ended")).toMatchObject({ by: "Pranee" });
    expect(audio({ caller: caller.sid, agent: agentLeg.sid })).toEqual(["agent<caller", "caller<agent"]);
    expect((await findCall(cc.hotline.services.ctx.db, caller.sid))?.state).toBe("connected");
    expect(await auditOf(caller.sid)).toEqual([
      { mode: "listen", change: "started", by: supervisor.id },
      { mode: "whisper", change: "changed", by: supervisor.id },
      { mode: "barge", change: "changed", by: supervisor.id },
      { mode: "ended", change: "ended", by: supervisor.id },
    ]);
    // The monitor is over: changing it is refused.
    expect(await cc.api("PATCH", `/api/calls/${caller.sid}/monitor/${sup}`, { token: supervisor.token, body: { mode: "listen" } })).toMatchObject({ status: 404, body: { error: "monitor_not_found" } });
  });

  it("whispering from the start, then stopping with DELETE: the supervisor's leg ends, caller and agent stay", async () => {
    const { caller, agentLeg } = await connectedCall("+66812000002");
    const { body } = await monitor(caller.sid, { mode: "whisper", endpoint: SUPERVISOR_PHONE });
    await cc.settle();
    expect(cc.carrier.hears(agentLeg.sid, body.id)).toBe(true);
    expect(cc.carrier.hears(caller.sid, body.id)).toBe(false);
    expect((await cc.api("DELETE", `/api/calls/${caller.sid}/monitor/${body.id}`, { token: supervisor.token })).status).toBe(204);
    await cc.settle();
    expect(cc.carrier.call(body.id)?.status).toBe("completed");
    expect(cc.carrier.conference(caller.sid)!.participants.map((p) => p.callSid).sort()).toEqual([caller.sid, agentLeg.sid].sort());
    expect((await auditOf(caller.sid)).map((a) => a.change)).toEqual(["started", "ended"]);
  });

  it("monitoring never makes a call answered, and is refused to agents, without a phone, or on a call not connected", async () => {
    const agent = await cc.addAgent("Waiting agent", ["km"], { mode: "manual" });
    const ringing = await cc.callIn("+66812000003", ["3", "1"]);
    await cc.settle();
    expect(await monitor(ringing.sid, { mode: "listen", endpoint: SUPERVISOR_PHONE })).toMatchObject({ status: 409, body: { error: "call_not_live" } });
    expect((await findCall(cc.hotline.services.ctx.db, ringing.sid))?.state).not.toBe("connected");
    const { caller } = await connectedCall("+66812000004");
    expect(await monitor(caller.sid, { mode: "listen" })).toMatchObject({ status: 409, body: { error: "no_endpoint" } });
    expect(await monitor(caller.sid, { mode: "spy", endpoint: SUPERVISOR_PHONE })).toMatchObject({ status: 400 });
    expect(await monitor(caller.sid, { mode: "listen", endpoint: "client:not allowed" })).toMatchObject({ status: 400 });
    expect((await cc.api("POST", `/api/calls/${caller.sid}/monitor`, { token: agent.token, body: { mode: "listen", endpoint: SUPERVISOR_PHONE } })).status).toBe(403);
  });
});
