import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Carrier, SimCall } from "../../src/carrier/index.js";
import { openPgStorage } from "../../db/pg-storage.js";
import { openSqliteStorage } from "../../db/sqlite-storage.js";
import { tables, type Storage } from "../../db/storage.js";
import { freePort, TEST_ADMIN_TOKEN } from "../support/hotline-fixture.js";
import { engineSettings } from "../support/test-database.js";
import { carrierFor, STAND_IN_ACCOUNT, startChildServer, type ChildServer } from "../support/child-server.js";
import { AgentSocket } from "../support/call-center.js";

const dir = mkdtempSync(join(tmpdir(), "hotline-storm-"));
const dbFile = join(dir, "hotline.db");
let carrier: Carrier;
let server: ChildServer | undefined;
const sockets: AgentSocket[] = [];
/** The run's engine: nothing more on SQLite (the file above), a fresh database on PostgreSQL. */
let settings: Record<string, string> = {};

/** The server's database on this run's engine, opened by the test once the server is gone. */
async function openStored(): Promise<Storage> {
  const onError = () => {};
  return settings.DATABASE_URL ? openPgStorage(settings.DATABASE_URL, { onError }) : openSqliteStorage(dbFile, { checkpointIntervalMs: 1_000, onError });
}

afterAll(async () => {
  await Promise.all(sockets.map((s) => s.close()));
  await server?.kill();
  await carrier?.close();
});

describe("a crash in the middle of a call storm", () => {
  it("SIGKILL while callers wait, talk and hang up: after a restart the carrier finishes and no call, callback or line is lost or leaked", async () => {
    const port = await freePort();
    const started = await carrierFor(port, undefined, STAND_IN_ACCOUNT);
    carrier = started.carrier;
    const { origin, base } = started;
    carrier.setDefaultEndpointMode("answer");
    settings = await engineSettings();
    const env = { LINES: "40", WRAP_UP_SECONDS: "0", ...settings };
    server = await startChildServer({ port, dbFile, carrierOrigin: origin, env });
    const api = (method: string, path: string, body?: unknown) =>
      fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, "content-type": "application/json" }, body: body ? JSON.stringify(body) : undefined }).then((r) => r.json());
    for (let i = 0; i < 6; i++) {
      const agent = await api("POST", "/api/agents", { name: `Agent ${i}`, languages: ["th"], endpoint: `client:storm${i}` });
      const socket = await AgentSocket.open(`${base.replace("http", "ws")}/ws`, agent.token);
      sockets.push(socket);
      await socket.setStatus("available");
    }

    // 50 callers: 40 get lines, 10 overflow; they choose Thai and a topic and wait for the six agents.
    const callers: SimCall[] = [];
    for (let i = 0; i < 50; i++) callers.push(carrier.placeCall({ from: `+6687${String(i).padStart(7, "0")}` }));
    await carrier.idle();
    for (const c of callers) c.press("1");
    await carrier.idle();
    for (const c of callers) c.press("1");
    await carrier.idle();
    // The server rings its agents from its own process: wait until all six are talking.
    while (callers.filter((c) => c.state === "conference").length < 6) {
      await new Promise((r) => setTimeout(r, 20));
      await carrier.idle();
    }
    const talking = callers.filter((c) => c.state === "conference");
    expect(talking).toHaveLength(6);

    // The storm: everyone hangs up at once and the server is killed while the callbacks arrive.
    const hangups = callers.map((c) => c.hangup());
    setImmediate(() => void server!.kill());
    await Promise.all(hangups);
    await server.kill();
    for (const leg of carrier.liveCalls()) await leg.hangup();
    await carrier.idle();

    server = await startChildServer({ port, dbFile, carrierOrigin: origin, env });
    for (;;) {
      const stats = await api("GET", "/api/stats");
      if (stats.lines.inUse === 0 && stats.agents.on_call === 0 && stats.agents.offered === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await server.kill();
    server = undefined;

    const stored = await openStored();
    const db = stored.db;
    const { callbacks, calls } = tables(db);
    const rows = (await db.select().from(calls)).filter((c) => c.direction === "inbound");
    expect(rows).toHaveLength(50);
    expect(rows.every((r) => r.state === "ended" && !r.holdsLine)).toBe(true);
    expect(rows.filter((r) => r.outcome === "overflow")).toHaveLength(10);
    const answered = rows.filter((r) => r.outcome === "answered");
    const missed = rows.filter((r) => r.outcome !== "answered");
    expect(answered.length).toBe(talking.length);
    expect(answered.length + rows.filter((r) => r.outcome?.startsWith("abandoned")).length).toBe(40);
    const items = await db.select().from(callbacks);
    // Every caller who missed us has exactly one item; nobody who was answered has one.
    expect(items.map((i) => i.number).sort()).toEqual(missed.map((r) => r.fromE164).sort());
    await stored.close();
  });
});
