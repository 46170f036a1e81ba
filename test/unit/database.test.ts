import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../db/connection.js";
import { startCheckpointer } from "../../db/checkpointer.js";
import { prepared, updateById } from "../../db/prepared.js";
import { SqliteStorage } from "../../db/sqlite-storage.js";
import { tables } from "../../db/storage.js";
import { findCall, updateCall } from "../../src/calls/call-store.js";

const dir = mkdtempSync(join(tmpdir(), "hotline-db-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const newCall = (sid: string) => ({ sid, direction: "inbound" as const, state: "ivr" as const, createdAt: 1, language: "th", holdsLine: true, ivrPath: [{ node: "language-menu", at: 1 }] });

/** SQLite behind the storage port, on a connection the test can also read raw. */
function openSqlite(file: string) {
  const sqlite = openDatabase(file);
  return { storage: new SqliteStorage(sqlite), client: sqlite.$client };
}

describe("queries prepared once per connection", () => {
  it("updates by id encode values as drizzle would, nulls included", async () => {
    const { storage, client } = openSqlite(":memory:");
    const db = storage.db;
    await storage.transaction(async (tx) => {
      const { calls } = tables(tx);
      await tx.insert(calls).values(newCall("CA1"));
      await tx.insert(calls).values(newCall("CA2"));
    });
    await storage.transaction(async (tx) => {
      const { calls } = tables(tx);
      await updateById(tx, calls, calls.sid, "CA1", { language: null, holdsLine: false, ivrPath: [{ node: "main-menu", at: 2 }], queuedAt: null });
    });
    const raw = client.prepare("select language, holds_line, ivr_path, queued_at from calls where sid = 'CA1'").get();
    expect(raw).toEqual({ language: null, holds_line: 0, ivr_path: '[{"node":"main-menu","at":2}]', queued_at: null });
    expect(await findCall(db, "CA1")).toMatchObject({ language: null, holdsLine: false, ivrPath: [{ node: "main-menu", at: 2 }] });
    // The other row, same statement shape: untouched.
    expect(await findCall(db, "CA2")).toMatchObject({ language: "th", holdsLine: true });
    // Undefined fields are left alone, as drizzle's own update does.
    await storage.transaction((tx) => updateCall(tx, "CA2", { language: undefined, topic: "violence" }));
    expect(await findCall(db, "CA2")).toMatchObject({ language: "th", topic: "violence" });
    await storage.close();
  });

  it("a transaction and its database share one compiled query, and each connection has its own", async () => {
    const a = openSqlite(":memory:").storage;
    const b = openSqlite(":memory:").storage;
    let built = 0;
    const build = () => ({ n: ++built });
    const first = prepared(a.db, "k", build);
    const inTx = await a.transaction(async (tx) => prepared(tx, "k", build));
    expect(inTx).toBe(first);
    expect(prepared(b.db, "k", build)).not.toBe(first);
    expect(built).toBe(2);
    await a.close();
    await b.close();
  });

  it("keeps a bounded number: keys made of users' filters cannot grow it without end", async () => {
    const { storage } = openSqlite(":memory:");
    const db = storage.db;
    const first = prepared(db, "fixed", () => ({}));
    for (let i = 0; i < 1_000; i++) prepared(db, `filter ${i}`, () => ({}));
    // Started again: the fixed query is simply built anew when next asked for.
    const again = prepared(db, "fixed", () => ({}));
    expect(again).not.toBe(first);
    expect(prepared(db, "fixed", () => ({}))).toBe(again);
    await storage.close();
  });
});

describe("checkpoints on their own thread", () => {
  it("the server's connection never checkpoints; the worker copies the WAL into the file", async () => {
    const file = join(dir, "ckpt.db");
    const { storage, client } = openSqlite(file);
    const errors: string[] = [];
    // An interval no test waits for: checkpoints here are asked for.
    const checkpointer = startCheckpointer(client, { intervalMs: 3_600_000, onError: (m) => errors.push(m) });
    expect(client.pragma("wal_autocheckpoint", { simple: true })).toBe(0);
    const sizeBefore = statSync(file).size;
    await storage.transaction(async (tx) => {
      const { calls } = tables(tx);
      for (let i = 0; i < 2000; i++) await tx.insert(calls).values(newCall(`CA${i}`));
    });
    // Written to the WAL only: the database file has not grown.
    expect(statSync(file).size).toBe(sizeBefore);
    const result = await checkpointer.checkpointNow();
    expect(result.busy).toBe(0);
    expect(result.log).toBeGreaterThan(0);
    expect(result.checkpointed).toBe(result.log);
    expect(statSync(file).size).toBeGreaterThan(sizeBefore);
    await checkpointer.close();
    expect(client.pragma("wal_autocheckpoint", { simple: true })).toBe(1000);
    expect(errors).toEqual([]);
    await storage.close();
  });
});
