// `executed` (db/prepared.ts) runs SQLite's prepared queries from a plan of its own instead of drizzle's
// fillPlaceholders and mapResultRow: every answer must be what drizzle itself gives for the same query.
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../db/connection.js";
import { executed, prepared } from "../../db/prepared.js";
import { calls } from "../../db/schema.js";
import { countAll } from "../../db/storage.js";

describe("executed on SQLite", () => {
  const db = openDatabase(":memory:");
  const insert = prepared(db, "test insert", () =>
    db
      .insert(calls)
      .values({ sid: sql.placeholder("sid"), direction: "inbound", state: "ivr", ivrPath: sql.placeholder("path"), holdsLine: sql.placeholder("holds"), createdAt: sql.placeholder("at") } as never)
      .prepare(),
  );

  it("writes what drizzle writes: JSON and booleans encoded by their columns, constants kept", async () => {
    const written = (await executed(insert, { sid: "CA1", path: [{ node: "language-menu", at: 1 }], holds: true, at: 5 })) as unknown as { changes: number };
    expect(written.changes).toBe(1);
    insert.run({ sid: "CA2", path: [{ node: "language-menu", at: 1 }], holds: true, at: 5 });
    const raw = db.$client.prepare("select sid, direction, state, ivr_path, holds_line, created_at from calls order by sid").all();
    expect(raw).toEqual([
      { sid: "CA1", direction: "inbound", state: "ivr", ivr_path: '[{"node":"language-menu","at":1}]', holds_line: 1, created_at: 5 },
      { sid: "CA2", direction: "inbound", state: "ivr", ivr_path: '[{"node":"language-menu","at":1}]', holds_line: 1, created_at: 5 },
    ]);
  });

  it("reads what drizzle reads: whole rows, chosen columns, mapped expressions, one row or none", async () => {
    const whole = prepared(db, "test whole", () => db.select().from(calls).where(eq(calls.sid, sql.placeholder("sid"))).prepare());
    expect(await executed(whole, { sid: "CA1" })).toEqual(whole.all({ sid: "CA1" }));
    expect((await executed(whole, { sid: "CA1" }))[0]).toMatchObject({ sid: "CA1", holdsLine: true, ivrPath: [{ node: "language-menu", at: 1 }] });
    const counted = prepared(db, "test count", () => db.select({ n: countAll(), sid: calls.sid }).from(calls).where(eq(calls.holdsLine, true)).prepare());
    expect(await executed(counted, {})).toEqual(counted.all());
    expect((await executed(counted, {}))[0]!.n).toBe(2);
    const one = prepared(db, "test get", () => db.select({ path: calls.ivrPath }).from(calls).where(eq(calls.sid, sql.placeholder("sid"))).limit(1).prepare());
    expect(await executed(one, { sid: "CA2" })).toEqual([{ path: [{ node: "language-menu", at: 1 }] }]);
    expect(await executed(one, { sid: "CA2" })).toEqual(one.all({ sid: "CA2" }));
    const none = prepared(db, "test none", () => db.select().from(calls).where(eq(calls.sid, sql.placeholder("sid"))).prepare());
    expect(await executed(none, { sid: "CA9" })).toEqual([]);
  });

  it("refuses a missing value as drizzle does", () => {
    expect(() => executed(insert, { sid: "CA3", path: [], at: 5 })).toThrow('No value for placeholder "holds" was provided');
  });
});
