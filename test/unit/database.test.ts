import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../db/connection.js";
import { startCheckpointer } from "../../db/checkpointer.js";
import { prepared, updateById } from "../../db/prepared.js";
import { calls } from "../../db/schema.js";
import { findCall, updateCall } from "../../src/calls/call-store.js";

const dir = mkdtempSync(join(tmpdir(), "hotline-db-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const newCall = (sid: string) => ({ sid, direction: "inbound" as const, state: "ivr" as const, createdAt: 1, language: "th", holdsLine: true, ivrPath: [{ node: "language-menu", at: 1 }] });

describe("queries prepared once per connection", () => {
  it("updates by id encode values as drizzle would, nulls included", () => {
    const db = openDatabase(":memory:");
    db.insert(calls).values(newCall("CA1")).run();
    db.insert(calls).values(newCall("CA2")).run();
    db.transaction((tx) => updateById(tx, calls, calls.sid, "CA1", { language: null, holdsLine: false, ivrPath: [{ node: "main-menu", at: 2 }], queuedAt: null }));
    const raw = db.$client.prepare("select language, holds_line, ivr_path, queued_at from calls where sid = 'CA1'").get();
    expect(raw).toEqual({ language: null, holds_line: 0, ivr_path: '[{"node":"main-menu","at":2}]', queued_at: null });
    expect(findCall(db, "CA1")).toMatchObject({ language: null, holdsLine: false, ivrPath: [{ node: "main-menu", at: 2 }] });
    // The other row, same statement shape: untouched.
    expect(findCall(db, "CA2")).toMatchObject({ language: "th", holdsLine: true });
    // Undefined fields are left alone, as drizzle's own update does.
    db.transaction((tx) => updateCall(tx, "CA2", { language: undefined, topic: "violence" }));
    expect(findCall(db, "CA2")).toMatchObject({ language: "th", topic: "violence" });
  });

  it("a transaction and its database share one compiled query, and each connection has its own", () => {
    const a = openDatabase(":memory:");
    const b = openDatabase(":memory:");
    let built = 0;
    const build = () => ({ n: ++built });
    const first = prepared(a, "k", build);
    const inTx = a.transaction((tx) => prepared(tx, "k", build));
    expect(inTx).toBe(first);
    expect(prepared(b, "k", build)).not.toBe(first);
    expect(built).toBe(2);
  });

  it("keeps a bounded number: keys made of users' filters cannot grow it without end", () => {
    const db = openDatabase(":memory:");
    const first = prepared(db, "fixed", () => ({}));
    for (let i = 0; i < 1_000; i++) prepared(db, `filter ${i}`, () => ({}));
    // Started again: the fixed query is simply built anew when next asked for.
    const again = prepared(db, "fixed", () => ({}));
    expect(again).not.toBe(first);
    expect(prepared(db, "fixed", () => ({}))).toBe(again);
  });
});

describe("checkpoints on their own thread", () => {
  it("the server's connection never checkpoints; the worker copies the WAL into the file", async () => {
    const file = join(dir, "ckpt.db");
    const db = openDatabase(file);
    const errors: string[] = [];
    // An interval no test waits for: checkpoints here are asked for.
    const checkpointer = startCheckpointer(db.$client, { intervalMs: 3_600_000, onError: (m) => errors.push(m) });
    expect(db.$client.pragma("wal_autocheckpoint", { simple: true })).toBe(0);
    const sizeBefore = statSync(file).size;
    db.transaction(() => {
      for (let i = 0; i < 2000; i++) db.insert(calls).values(newCall(`CA${i}`)).run();
    });
    // Written to the WAL only: the database file has not grown.
    expect(statSync(file).size).toBe(sizeBefore);
    const result = await checkpointer.checkpointNow();
    expect(result.busy).toBe(0);
    expect(result.log).toBeGreaterThan(0);
    expect(result.checkpointed).toBe(result.log);
    expect(statSync(file).size).toBeGreaterThan(sizeBefore);
    await checkpointer.close();
    expect(db.$client.pragma("wal_autocheckpoint", { simple: true })).toBe(1000);
    expect(errors).toEqual([]);
    db.$client.close();
  });
});
