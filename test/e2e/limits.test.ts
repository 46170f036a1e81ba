// What one client can cost the server: sockets, slow requests, floods of dispositions, long notes and a
// national directory import — each bounded, the excess refused with a reason.
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SIMULATOR_ACCOUNT_SID } from "../../src/hotline.js";
import { AgentSocket, startCallCenter, type CallCenter } from "../support/call-center.js";
import { newCallSid, signedPost } from "../support/signed-post.js";

let cc: CallCenter;
beforeAll(async () => {
  cc = await startCallCenter({
    WRAP_UP_SECONDS: "5",
    RECONCILE_SECONDS: "3600",
    WS_MAX_UNAUTHENTICATED: "3",
    WS_MAX_PER_USER: "2",
    HTTP_REQUEST_TIMEOUT_MS: "300",
    HTTP_CONNECTION_TIMEOUT_MS: "14000",
  });
});
afterAll(async () => cc.stopAll());

const wsUrl = () => `${cc.baseUrl.replace("http", "ws")}/ws`;
const closed = (s: AgentSocket) => (s.closeCode !== undefined ? Promise.resolve(s.closeCode) : new Promise<number>((r) => s.ws.once("close", (code) => r(code))));

describe("WebSocket limits", () => {
  it("sockets waiting to sign in beyond WS_MAX_UNAUTHENTICATED are closed with 4429; signing in frees a place", async () => {
    const waiting = await Promise.all([1, 2, 3].map(() => AgentSocket.open(wsUrl())));
    const extra = await AgentSocket.open(wsUrl());
    expect(await closed(extra)).toBe(4429);
    waiting[0]!.send({ type: "auth", token: cc.config.ADMIN_TOKEN });
    await waiting[0]!.next("hello");
    const next = await AgentSocket.open(wsUrl());
    next.send({ type: "auth", token: cc.config.ADMIN_TOKEN });
    expect((await next.next("hello")).type).toBe("hello");
    await Promise.all([...waiting, next].map((s) => s.close()));
  });

  it("a user's sockets beyond WS_MAX_PER_USER are closed with 4409; closing one frees a place", async () => {
    const agent = await cc.addAgent("Tabs", ["th"], { available: false });
    const second = await AgentSocket.open(wsUrl(), agent.token);
    await second.next("hello");
    const third = await AgentSocket.open(wsUrl(), agent.token);
    expect(await closed(third)).toBe(4409);
    await second.close();
    const again = await AgentSocket.open(wsUrl(), agent.token);
    await again.next("hello");
    await again.close();
  });
});

describe("HTTP limits", () => {
  it("a request whose body never arrives gets 408 and its connection is closed, while others are answered", async () => {
    const url = new URL(cc.baseUrl);
    const socket = connect(Number(url.port), url.hostname);
    let answer = "";
    socket.on("data", (d) => (answer += String(d)));
    socket.write(`POST /twilio/voice HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nCallSid=CA`);
    expect((await cc.api("GET", "/health")).status).toBe(200);
    await new Promise((resolve) => socket.once("close", resolve));
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });
});

const CALLER = "+66812345699";
const LONG_NOTE = "ก".repeat(4_000);

describe("dispositions and the screen-pop", () => {
  it("a note over 4,000 characters is refused; a flood of 10,000 dispositions leaves one, and the screen-pop stays small", async () => {
    const agent = await cc.addAgent("Flood", ["th"], { mode: "answer" });
    // 21 earlier calls of one number, each with the longest note allowed (Thai: 3 bytes a character).
    let last = "";
    for (let i = 0; i < 21; i++) {
      const call = await cc.callIn(CALLER, ["1", "1"]);
      await cc.settle();
      agent.socket.send({ type: "disposition", callSid: call.sid, outcome: "advice_given", note: LONG_NOTE });
      await agent.socket.next("ack", () => true, agent.socket.messages.length);
      await call.hangup();
      await cc.settle();
      await cc.clock.advance(60_000);
      await cc.settle();
      last = call.sid;
    }
    const tooLong = agent.socket.messages.length;
    agent.socket.send({ type: "disposition", callSid: last, outcome: "other", note: "x".repeat(4_001) });
    expect(await agent.socket.next("error", () => true, tooLong)).toMatchObject({ error: "bad_message", message: expect.stringMatching(/4,000 characters/) });

    const before = agent.socket.messages.length;
    for (let i = 0; i < 10_000; i++) agent.socket.send({ type: "disposition", callSid: last, outcome: "other", note: `flood ${i}` });
    agent.socket.send({ type: "ping" });
    await agent.socket.next("pong", () => true, before);
    const answers = agent.socket.messages.slice(before);
    expect(answers.filter((m) => m.type === "ack")).toHaveLength(10);
    expect(answers.filter((m) => m.type === "error" && m.error === "rate_limited")).toHaveLength(9_990);
    const trail = (await cc.api("GET", `/api/calls/${last}`)).body.events.filter((e: { type: string }) => e.type === "call.disposition");
    expect(trail).toHaveLength(11);

    const offered = agent.socket.messages.length;
    const call = await cc.callIn(CALLER, ["1", "1"]);
    const pop = (await agent.socket.next("call.offered", () => true, offered)) as unknown as { call: { history: Array<{ kind: string; callSid: string; dispositions: Array<{ note: string }> }> } };
    const calls = pop.call.history.filter((h) => h.kind === "call");
    expect(calls).toHaveLength(20);
    expect(calls[0]!.callSid).toBe(last);
    expect(calls[0]!.dispositions).toEqual([expect.objectContaining({ note: "flood 9" })]);
    expect(Math.max(...calls.slice(1).map((c) => [...c.dispositions[0]!.note].length))).toBe(400);
    expect(Buffer.byteLength(JSON.stringify(pop))).toBeLessThan(64 * 1024);
    await call.hangup();
    await cc.settle();
  }, 90_000); // 21 calls and 10,000 messages: seconds alone, more on a shared machine.
});

describe("the agency directory at national size", () => {
  it("a 10,000-row import runs in one go while webhooks are answered, and the list comes a page at a time", async () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => `Bulk agency ${i},police,${["10", "50", "90"][i % 3]},+66530${String(i).padStart(5, "0")},24h,`);
    const csv = ["name,type,province,endpoint,hours,categories", ...rows].join("\r\n");
    let importDone = false;
    const imported = fetch(`${cc.baseUrl}/api/agencies/import`, {
      method: "POST",
      headers: { authorization: `Bearer ${cc.config.ADMIN_TOKEN}`, "content-type": "text/csv" },
      body: csv,
    }).then(async (r) => {
      importDone = true;
      return { status: r.status, body: (await r.json()) as { created: number; updated: number; errors: unknown[] } };
    });
    // Webhooks keep coming while the import runs: some are answered before it finishes.
    let answeredDuring = 0;
    while (!importDone) {
      const sid = newCallSid();
      const res = await signedPost(cc.baseUrl, "/twilio/voice", { CallSid: sid, AccountSid: SIMULATOR_ACCOUNT_SID, From: "+66812340000", To: "1300", CallStatus: "ringing", Direction: "inbound" });
      expect(res.status).toBe(200);
      if (!importDone) answeredDuring += 1;
    }
    expect(await imported).toMatchObject({ status: 200, body: { created: 10_000, updated: 0, errors: [] } });
    expect(answeredDuring).toBeGreaterThanOrEqual(2);

    const page = await cc.api("GET", "/api/agencies?province=50&type=police&text=bulk%20agency&limit=50&offset=100");
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ total: 3_333, limit: 50, offset: 100 });
    expect(page.body.items).toHaveLength(50);
    expect(page.body.items.every((a: { province: string; name: string }) => a.province === "50" && a.name.startsWith("Bulk agency"))).toBe(true);
    expect((await cc.api("GET", "/api/agencies?text=agency%2099%25")).body.total).toBe(0);
    expect((await cc.api("GET", "/api/agencies?limit=5000")).status).toBe(400);
    // Imported again: every row updates its agency, none is duplicated.
    const again = await fetch(`${cc.baseUrl}/api/agencies/import`, { method: "POST", headers: { authorization: `Bearer ${cc.config.ADMIN_TOKEN}`, "content-type": "text/csv" }, body: csv });
    expect(await again.json()).toMatchObject({ created: 0, updated: 10_000 });
    expect((await cc.api("GET", "/api/agencies?text=bulk&limit=1")).body.total).toBe(10_000);
  });
});
