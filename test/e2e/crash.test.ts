import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Carrier, SimCall } from "../../src/carrier/index.js";
import { eq } from "drizzle-orm";
import { openPgStorage } from "../../db/pg-storage.js";
import { openSqliteStorage } from "../../db/sqlite-storage.js";
import { tables, type Storage } from "../../db/storage.js";
import { freePort } from "../support/hotline-fixture.js";
import { engineSettings } from "../support/test-database.js";
import { carrierFor, STAND_IN_ACCOUNT, startChildServer, type ChildServer } from "../support/child-server.js";

const dir = mkdtempSync(join(tmpdir(), "hotline-crash-"));
const dbFile = join(dir, "hotline.db");
let carrier: Carrier;
let server: ChildServer | undefined;
/** The run's engine: nothing more on SQLite (the file above), a fresh database on PostgreSQL. */
let settings: Record<string, string> = {};

/** The server's database on this run's engine, opened by the test once the server is gone. */
async function openStored(): Promise<Storage> {
  const onError = () => {};
  return settings.DATABASE_URL ? openPgStorage(settings.DATABASE_URL, { onError }) : openSqliteStorage(dbFile, { checkpointIntervalMs: 1_000, onError });
}

afterAll(async () => {
  await server?.kill();
  await carrier?.close();
});

describe("a crash in the middle of a burst of abandoned calls", () => {
  it("after SIGKILL and a restart, every missed call has its callback item and no line is leaked", async () => {
    const port = await freePort();
    const started = await carrierFor(port, undefined, STAND_IN_ACCOUNT);
    carrier = started.carrier;
    const { origin, base } = started;
    settings = await engineSettings();
    server = await startChildServer({ port, dbFile, carrierOrigin: origin, env: { LINES: "100", ...settings } });

    const callers: SimCall[] = [];
    for (let i = 0; i < 40; i++) {
      const c = carrier.placeCall({ from: `+6686${String(i).padStart(7, "0")}` });
      callers.push(c);
    }
    await carrier.idle();
    for (const c of callers) c.press("1");
    await carrier.idle();
    for (const c of callers.slice(20)) c.press("2");
    await carrier.idle();
    // The burst: everyone hangs up at once; the server is killed while the status callbacks arrive.
    const hangups = callers.map((c) => c.hangup());
    setImmediate(() => void server!.kill());
    await Promise.all(hangups);
    await server.kill();
    await carrier.idle();

    server = await startChildServer({ port, dbFile, carrierOrigin: origin, env: { LINES: "100", ...settings } });
    // Reconciliation runs at start: wait until it has closed every call (the server's own records say so).
    for (;;) {
      const res = await fetch(`${base}/api/stats`, { headers: { authorization: "Bearer test-admin-token-0123456789" } });
      const stats = await res.json();
      if (stats.lines.inUse === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await server.kill();
    server = undefined;

    const stored = await openStored();
    const db = stored.db;
    const { callbacks, calls, events } = tables(db);
    const rows = await db.select().from(calls);
    expect(rows).toHaveLength(40);
    expect(rows.every((r) => r.state === "ended" && !r.holdsLine)).toBe(true);
    expect(rows.filter((r) => r.outcome === "abandoned_ivr")).toHaveLength(20);
    expect(rows.filter((r) => r.outcome === "abandoned_queue")).toHaveLength(20);
    // The kill really fell inside the burst: some calls were closed from the carrier's records.
    const reconciled = (await db.select().from(events).where(eq(events.type, "call.status"))).filter((e) => e.data.sequence === "reconciled");
    expect(reconciled.length).toBeGreaterThan(0);
    const items = await db.select().from(callbacks);
    expect(new Set(items.map((i) => i.number))).toEqual(new Set(rows.map((r) => r.fromE164)));
    expect(items.every((i) => i.missedCalls === 1 && i.status === "open")).toBe(true);
    await stored.close();
  });
});
