import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AgentSocket, startCallCenter, type CallCenter } from "../support/call-center.js";

let cc: CallCenter;
let supervisorToken: string;
const wsUrl = () => `${cc.baseUrl.replace("http", "ws")}/ws`;
beforeAll(async () => {
  cc = await startCallCenter({ CALLBACK_SLA_NORMAL_MINUTES: "10" });
  const created = await cc.api("POST", "/api/users", { body: { name: "Sup", role: "supervisor" } });
  expect(created.status).toBe(201);
  supervisorToken = created.body.token;
});
afterAll(async () => cc.stopAll());

describe("live screens over the WebSocket", () => {
  it("without a token the socket is closed with 4401; a browser can sign in with a first auth message", async () => {
    const anonymous = await AgentSocket.open(wsUrl());
    anonymous.send({ type: "status", status: "available" });
    await new Promise((r) => anonymous.ws.once("close", r));
    expect(anonymous.closeCode).toBe(4401);
    const browser = await AgentSocket.open(wsUrl());
    browser.send({ type: "auth", token: supervisorToken });
    const hello = await browser.next("hello");
    expect(hello.user).toMatchObject({ role: "supervisor" });
    await browser.next("stats");
    browser.send({ type: "nonsense" });
    expect((await browser.next("error")).error).toBe("bad_message");
    await browser.close();
  });

  it("an agent mid-call who reconnects gets its call again, and never another agent's calls or supervisor figures", async () => {
    const a = await cc.addAgent("Anong", ["th"], { mode: "answer" });
    const b = await cc.addAgent("Boon", ["th"], { mode: "answer" });
    const caller = await cc.callIn("+66890000001", ["1", "2"]);
    await cc.settle();
    const first = a.socket.of("call.offered").length ? a : b;
    const other = first === a ? b : a;
    const pop = await first.socket.next("call.offered");
    expect((pop.call as { callSid: string }).callSid).toBe(caller.sid);
    await first.socket.close();

    const again = await AgentSocket.open(wsUrl(), first.token);
    const replay = await again.next("call.offered");
    expect(replay.call).toMatchObject({ callSid: caller.sid, from: "+66890000001", topic: "trafficking" });
    await again.next("call.connected");
    expect(other.socket.of("call.offered")).toHaveLength(0);
    for (const s of [other.socket, again]) {
      expect(s.of("stats")).toHaveLength(0);
      expect(s.of("callbacks")).toHaveLength(0);
    }
    await caller.hangup();
    await cc.settle();
    await again.next("call.ended");
    expect(other.socket.of("call.ended")).toHaveLength(0);
    await again.close();
  });

  it("supervisors get the figures pushed as calls arrive, and the backlog pushed when an item becomes overdue", async () => {
    const sup = await AgentSocket.open(wsUrl(), supervisorToken);
    await sup.next("stats");
    const seen = sup.messages.length;
    const c = await cc.callIn("+66890000002", ["1"]);
    const waiting = await sup.next("stats", (m) => (m.stats as { lines: { inUse: number } }).lines.inUse >= 1, seen);
    expect(waiting).toBeTruthy();
    await c.hangup();
    await cc.settle();
    const created = await sup.next("callbacks", (m) => (m.open as number) >= 1, seen);
    expect(created.overdue).toBe(0);
    const mark = sup.messages.length;
    await cc.clock.advance(10 * 60_000 + 1_000);
    const overdue = await sup.next("callbacks", (m) => (m.overdue as number) >= 1, mark);
    expect((overdue.items as Array<{ number: string; overdue: boolean }>)[0]).toMatchObject({ overdue: true, number: "+66******002" });
    await sup.close();
  });
});
