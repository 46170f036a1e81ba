import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findCall } from "../../src/calls/call-store.js";
import { AgentSocket, startCallCenter, type CallCenter } from "../support/call-center.js";

let cc: CallCenter;
beforeAll(async () => {
  cc = await startCallCenter({ WRAP_UP_SECONDS: "30" });
});
afterAll(async () => cc.stopAll());

const wsUrl = () => `${cc.baseUrl.replace("http", "ws")}/ws`;
const db = () => cc.hotline.services.ctx.db;
type PublicUser = { id: string; role: string; active: boolean; status?: string; lastSeenAt: string | null };
const users = async (token?: string) => ((await cc.api("GET", "/api/users", { token })).body as { items: PublicUser[] }).items;
const statusOf = async (id: string) => (await users()).find((u) => u.id === id)?.status;

async function newSupervisor(name: string): Promise<string> {
  const created = await cc.api("POST", "/api/users", { body: { name, role: "supervisor" } });
  expect(created.status).toBe(201);
  return created.body.token as string;
}

describe("users and access", () => {
  it("an admin lists every account, a supervisor only the agents, an agent none", async () => {
    const agent = await cc.addAgent("Malee", ["th"], { available: false });
    const supervisor = await newSupervisor("Pranee");
    const all = await users();
    expect(all.map((u) => u.role)).toEqual(expect.arrayContaining(["admin", "supervisor", "agent"]));
    expect(all.find((u) => u.id === agent.id)).toMatchObject({ active: true, status: "offline" });
    expect(JSON.stringify(all)).not.toMatch(/token"|tokenHash/);
    const seenBySupervisor = await users(supervisor);
    expect(seenBySupervisor.length).toBeGreaterThan(0);
    expect(seenBySupervisor.every((u) => u.role === "agent")).toBe(true);
    expect((await cc.api("GET", "/api/users", { token: agent.token })).status).toBe(403);
  });

  it("a deactivated agent's token is refused at once and their socket closes with 4401; reactivated, it works again", async () => {
    const agent = await cc.addAgent("Somsak", ["th"]);
    const supervisor = await newSupervisor("Wanida");
    expect((await cc.api("GET", "/api/callbacks?status=open", { token: agent.token })).status).toBe(200);

    const off = await cc.api("PATCH", `/api/users/${agent.id}`, { token: supervisor, body: { active: false } });
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ id: agent.id, active: false, status: "offline" });
    expect(await agent.socket.closed).toBe(4401);
    expect(agent.socket.closeReason).toBe("deactivated");
    const refused = await cc.api("GET", "/api/callbacks?status=open", { token: agent.token });
    expect(refused).toMatchObject({ status: 401, body: { error: "deactivated" } });
    const again = await AgentSocket.open(wsUrl(), agent.token);
    expect(await again.closed).toBe(4401);

    expect((await cc.api("PATCH", `/api/users/${agent.id}`, { token: supervisor, body: { active: true } })).body).toMatchObject({ active: true, status: "offline" });
    expect((await cc.api("GET", "/api/callbacks?status=open", { token: agent.token })).status).toBe(200);
  });

  it("a supervisor manages agents only; an unknown id is 404; nobody deactivates themselves", async () => {
    const supervisor = await newSupervisor("Kanya");
    const other = await cc.api("POST", "/api/users", { body: { name: "Other", role: "supervisor" } });
    expect((await cc.api("PATCH", `/api/users/${other.body.id}`, { token: supervisor, body: { active: false } })).status).toBe(403);
    expect((await cc.api("POST", `/api/users/${other.body.id}/token`, { token: supervisor })).status).toBe(403);
    expect((await cc.api("PATCH", "/api/users/admin", { token: supervisor, body: { active: false } })).status).toBe(403);
    expect((await cc.api("PATCH", "/api/users/us_nobody", { body: { active: false } })).status).toBe(404);
    expect((await cc.api("PATCH", "/api/users/admin", { body: { active: false } })).body).toMatchObject({ error: "conflict" });
    expect((await cc.api("PATCH", `/api/users/${other.body.id}`, { body: { active: "no" } })).status).toBe(400);
    // Nothing above changed anyone.
    expect((await users()).find((u) => u.id === other.body.id)?.active).toBe(true);
  });

  it("a rotated token is refused at once, its sockets close with 4401, and the new one, shown once, works", async () => {
    const agent = await cc.addAgent("Nok", ["th"], { available: false });
    const rotated = await cc.api("POST", `/api/users/${agent.id}/token`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.token).toEqual(expect.any(String));
    expect(await agent.socket.closed).toBe(4401);
    expect(agent.socket.closeReason).toBe("token_replaced");
    expect((await cc.api("GET", "/api/callbacks", { token: agent.token })).status).toBe(401);
    expect((await cc.api("GET", "/api/callbacks", { token: rotated.body.token })).status).toBe(200);
    const fresh = await AgentSocket.open(wsUrl(), rotated.body.token);
    expect((await fresh.next("hello")).user).toMatchObject({ id: agent.id });
    await fresh.close();
    expect(JSON.stringify(await users())).not.toContain(rotated.body.token);
  });

  it("a deactivated agent is never offered a call: the caller goes to the next agent", async () => {
    const first = await cc.addAgent("Anan", ["km"]);
    await cc.clock.advance(1_000);
    const second = await cc.addAgent("Bopha", ["km"]);
    // Anan has been idle longest and would be offered the call.
    await cc.api("PATCH", `/api/users/${first.id}`, { body: { active: false } });
    const caller = await cc.callIn("+66830000001", ["3", "1"]);
    expect(await findCall(db(), caller.sid)).toMatchObject({ state: "ringing", agentId: second.id });
    expect(first.socket.of("call.offered")).toHaveLength(0);
    await caller.hangup();
    await cc.settle();
    await second.socket.setStatus("offline");
    await cc.settle();
  });

  it("an agent deactivated mid-call keeps the caller until the call ends, then goes offline instead of available", async () => {
    const agent = await cc.addAgent("Chanthy", ["lo"]);
    const caller = await cc.callIn("+66830000002", ["4", "1"]);
    cc.carrier.endpoint(agent.endpoint).ringing()[0]!.answer();
    await cc.settle();
    expect((await findCall(db(), caller.sid))?.state).toBe("connected");

    await cc.api("PATCH", `/api/users/${agent.id}`, { body: { active: false } });
    expect(await agent.socket.closed).toBe(4401);
    await cc.clock.advance(60_000);
    await cc.settle();
    expect((await findCall(db(), caller.sid))?.state).toBe("connected");
    expect(await statusOf(agent.id)).toBe("on_call");

    await caller.hangup();
    await cc.settle();
    expect(await findCall(db(), caller.sid)).toMatchObject({ state: "ended", outcome: "answered" });
    await cc.clock.advance(31_000);
    await cc.settle();
    expect(await statusOf(agent.id)).toBe("offline");
    const next = await cc.callIn("+66830000003", ["4", "1"]);
    expect((await findCall(db(), next.sid))?.state).toBe("queued");
    await next.hangup();
    await cc.settle();
  });

  it("an agent deactivated while a call rings them goes offline, not on break, when the offer lapses", async () => {
    const agent = await cc.addAgent("Vanna", ["zh"]);
    const caller = await cc.callIn("+66830000004", ["6", "1"]);
    expect(await findCall(db(), caller.sid)).toMatchObject({ state: "ringing", agentId: agent.id });
    await cc.api("PATCH", `/api/users/${agent.id}`, { body: { active: false } });
    expect(await statusOf(agent.id)).toBe("offered");
    await cc.clock.advance(21_000);
    await cc.settle();
    expect(await statusOf(agent.id)).toBe("offline");
    expect((await findCall(db(), caller.sid))?.state).toBe("queued");
    await caller.hangup();
    await cc.settle();
  });

  it("last use is recorded, at most once a minute", async () => {
    const agent = await cc.addAgent("Dao", ["th"], { available: false });
    const lastSeen = async () => (await users()).find((u) => u.id === agent.id)?.lastSeenAt;
    const first = await lastSeen();
    expect(first).toBe(new Date(cc.clock.now()).toISOString());
    await cc.clock.advance(30_000);
    await cc.api("GET", "/api/callbacks", { token: agent.token });
    expect(await lastSeen()).toBe(first);
    await cc.clock.advance(31_000);
    await cc.api("GET", "/api/callbacks", { token: agent.token });
    expect(await lastSeen()).toBe(new Date(cc.clock.now()).toISOString());
  });
});
