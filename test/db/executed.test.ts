// `executed` (db/prepared.ts) runs prepared queries from a plan of its own, straight on the driver, instead
// of through drizzle's execute: on this run's engine, every answer must be what drizzle's own gives.
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { executed, prepared } from "../../db/prepared.js";
import { affected, countAll, tables, type Db } from "../../db/storage.js";
import { testEngine } from "../support/test-database.js";
import { openTestStorage } from "../support/test-storage.js";

describe(`executed (${testEngine})`, () => {
  const path = [{ node: "language-menu", at: 1 }];
  const insertOn = (db: Db) => {
    const { calls } = tables(db);
    return prepared(db, "test insert", () =>
      db
        .insert(calls)
        .values({ sid: sql.placeholder("sid"), direction: "inbound", state: "ivr", ivrPath: sql.placeholder("path"), holdsLine: sql.placeholder("holds"), createdAt: sql.placeholder("at") } as never)
        .prepare("test insert"),
    );
  };

  it("writes what drizzle writes (JSON and booleans encoded by their columns, constants kept), and reads what drizzle reads", async () => {
    const { db } = await openTestStorage();
    const { calls } = tables(db);
    const insert = insertOn(db);
    expect(affected(await executed(insert, { sid: "CA1", path, holds: true, at: 5 }))).toBe(1);
    await insert.execute({ sid: "CA2", path, holds: true, at: 5 });
    await insert.execute({ sid: "CA3", path: [], holds: false, at: 6 });

    const whole = prepared(db, "test whole", () => db.select().from(calls).where(eq(calls.sid, sql.placeholder("sid"))).prepare("test whole"));
    const [one, two] = [await executed(whole, { sid: "CA1" }), await whole.execute({ sid: "CA2" })];
    expect(one).toEqual(two.map((c) => ({ ...c, sid: "CA1" })));
    expect(one[0]).toMatchObject({ sid: "CA1", direction: "inbound", holdsLine: true, ivrPath: path, createdAt: 5, language: null });

    const counted = prepared(db, "test count", () => db.select({ n: countAll(), held: calls.holdsLine }).from(calls).groupBy(calls.holdsLine).orderBy(calls.holdsLine).prepare("test count"));
    expect(await executed(counted, {})).toEqual(await counted.execute({}));
    expect(await executed(counted, {})).toEqual([
      { n: 1, held: false },
      { n: 2, held: true },
    ]);
    const none = prepared(db, "test none", () => db.select({ path: calls.ivrPath }).from(calls).where(eq(calls.sid, sql.placeholder("sid"))).prepare("test none"));
    expect(await executed(none, { sid: "CA9" })).toEqual([]);
    expect(await executed(none, { sid: "CA3" })).toEqual([{ path: [] }]);

    const stepped = prepared(db, "test returning", () =>
      db.update(calls).set({ language: sql`${sql.placeholder("language")}` }).where(eq(calls.sid, sql.placeholder("sid"))).returning({ language: calls.language, at: calls.createdAt }).prepare("test returning"),
    );
    expect(await executed(stepped, { sid: "CA3", language: "th" })).toEqual([{ language: "th", at: 6 }]);
    expect(await executed(stepped, { sid: "CA9", language: "th" })).toEqual([]);
  });

  it("refuses a missing value as drizzle does", async () => {
    const { db } = await openTestStorage();
    const insert = insertOn(db);
    const run = async () => executed(insert, { sid: "CA3", path: [], at: 5 });
    await expect(run()).rejects.toThrow('No value for placeholder "holds" was provided');
  });
});
