import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AgentSocket, startCallCenter, type CallCenter } from "../support/call-center.js";
import { jsonApi } from "../support/json-api.js";
import { startHotline, TEST_ADMIN_TOKEN, type Running } from "../support/hotline-fixture.js";
import { freshPgDatabase } from "../support/test-database.js";

// Two instances on one database: Twilio's webhooks reach B, the agent's page is connected to A.

let url: string;
let b: CallCenter;
let a: Running;
const sockets: AgentSocket[] = [];

beforeAll(async () => {
  url = await freshPgDatabase();
  b = await startCallCenter({ DATABASE_URL: url, WRAP_UP_SECONDS: "0" });
  a = await startHotline({ DATABASE_URL: url, TWILIO_API_BASE_URL: b.config.TWILIO_API_BASE_URL!, WRAP_UP_SECONDS: "0" });
});
afterAll(async () => {
  for (const s of sockets) await s.close();
  await a?.stop();
  await b?.stopAll();
});

/** The JSON API of instance A (started in beforeAll). */
const apiOnA = (method: string, path: string, body?: unknown) => jsonApi(a.baseUrl, TEST_ADMIN_TOKEN)(method, path, body);

describe("events cross instances", () => {
  it("an agent connected to instance A gets the screen-pop of a call that instance B took and offered, and the answer", async () => {
    const endpoint = "client:fanout1";
    b.carrier.endpoint(endpoint).setMode("answer");
    const created = await apiOnA("POST", "/api/agents", { name: "Agent on A", languages: ["th"], endpoint });
    expect(created.status).toBe(201);
    const socket = await AgentSocket.open(`${a.baseUrl.replace("http", "ws")}/ws`, created.body.token);
    sockets.push(socket);
    await socket.next("hello");
    await socket.setStatus("available");

    // The call reaches B only; B queues it, offers it to the agent (whose status A wrote) and rings them.
    const call = await b.callIn("+66812345678", ["1", "1"]);
    const offered = await socket.next("call.offered");
    expect(offered.call).toMatchObject({ callSid: call.sid, language: "th" });
    await call.waitFor("conference");
    await b.settle();
    // What the answer changed reaches A's page too.
    const updated = await socket.next("call.updated", (m) => (m.call as { callSid?: string }).callSid === call.sid);
    expect(updated.call).toMatchObject({ callSid: call.sid });
    // Supervisors' figures on A count B's call.
    const stats = await apiOnA("GET", "/api/stats");
    expect(stats.body.lines.inUse).toBe(1);
    await call.hangup();
    await b.settle();
  });

  it("an instance that stopped hearing the others for a while has its pages reconnect for their full state", async () => {
    const created = await apiOnA("POST", "/api/agents", { name: "Second agent on A", languages: ["th"], endpoint: "client:fanout2" });
    const socket = await AgentSocket.open(`${a.baseUrl.replace("http", "ws")}/ws`, created.body.token);
    sockets.push(socket);
    await socket.next("hello");
    // The database drops this file's instances' listening connections, as a restart of PostgreSQL drops
    // every one. Only this database's: other test files share the cluster, and their pages would reconnect.
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const { rows } = await admin.query("select pg_terminate_backend(pid) as done from pg_stat_activity where application_name = 'hotline listener' and datname = current_database()");
      expect(rows.length).toBeGreaterThanOrEqual(2);
    } finally {
      await admin.end();
    }
    await socket.next("reconnect");
    expect(await socket.closed).toBe(1012);
    // Listening again: a supervisor's fresh page on A sees the figures of a call that reaches B.
    const supervisor = await apiOnA("POST", "/api/users", { name: "Supervisor on A", role: "supervisor" });
    const wallboard = await AgentSocket.open(`${a.baseUrl.replace("http", "ws")}/ws`, supervisor.body.token);
    sockets.push(wallboard);
    await wallboard.next("hello");
    const seen = wallboard.messages.length;
    const call = b.carrier.placeCall({ from: "+66812345679" });
    await b.settle();
    const stats = await wallboard.next("stats", (m) => (m.stats as { lines: { inUse: number } }).lines.inUse === 1, seen);
    expect(stats.type).toBe("stats");
    await call.hangup();
    await b.settle();
  });
});
