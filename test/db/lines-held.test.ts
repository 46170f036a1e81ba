// The number of lines held that an arrival decides on (db/schema.ts, linesHeld): kept by triggers on
// `calls`, on this run's engine, so it equals the calls' own count after any change by anyone.
import { eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { tables } from "../../db/storage.js";
import { inTransaction, type Ctx } from "../../src/events/event-log.js";
import { countHeldLines, lineUse, linesInUse, repairLinesHeld, setCapacity } from "../../src/lines/line-capacity.js";
import { testEngine } from "../support/test-database.js";
import { domainContext, openTestStorage } from "../support/test-storage.js";

async function context(): Promise<Ctx> {
  return domainContext(await openTestStorage());
}

const call = (sid: string, holdsLine: boolean) => ({ sid, direction: "inbound" as const, state: "ivr" as const, holdsLine, createdAt: 1 });

describe(`lines held (${testEngine})`, () => {
  it("follows every insert, update and delete of calls, one row or many, and a rolled-back change leaves it as it was", async () => {
    const ctx = await context();
    const expectKept = async (n: number) => {
      expect(await countHeldLines(ctx.db)).toBe(n);
      expect(await linesInUse(ctx.db)).toBe(n);
    };
    await expectKept(0);
    const write = (fn: Parameters<typeof inTransaction>[1]) => inTransaction(ctx, fn);
    await write(async (tx) => {
      const { calls } = tables(tx);
      await tx.insert(calls).values([call("CA1", true), call("CA2", true), call("CA3", false), call("CA4", true)]);
    });
    await expectKept(3);
    await write(async (tx) => {
      const { calls } = tables(tx);
      // Set to what it already is: no change. Then freed, then a free call takes a line.
      await tx.update(calls).set({ holdsLine: true }).where(eq(calls.sid, "CA1"));
      await tx.update(calls).set({ holdsLine: false }).where(eq(calls.sid, "CA2"));
      await tx.update(calls).set({ holdsLine: true, state: "queued" }).where(eq(calls.sid, "CA3"));
      // Other columns of a held call: no change.
      await tx.update(calls).set({ language: "th" }).where(eq(calls.sid, "CA4"));
    });
    await expectKept(3);
    await write(async (tx) => {
      const { calls } = tables(tx);
      await tx.update(calls).set({ holdsLine: false }).where(inArray(calls.sid, ["CA1", "CA3", "CA4"]));
    });
    await expectKept(0);
    await write(async (tx) => {
      const { calls } = tables(tx);
      await tx.insert(calls).values([call("CA5", true), call("CA6", true)]);
      await tx.delete(calls).where(inArray(calls.sid, ["CA5", "CA2"]));
    });
    await expectKept(1);
    await expect(
      write(async (tx) => {
        const { calls } = tables(tx);
        await tx.insert(calls).values(call("CA7", true));
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    await expectKept(1);
    await setCapacity(ctx, 2, null);
    expect(await lineUse(ctx.db)).toEqual({ capacity: 2, inUse: 1 });
  });

  it("the reconciliation's repair sets a number changed by hand back to the calls' count, and leaves a right one alone", async () => {
    const ctx = await context();
    await inTransaction(ctx, async (tx) => {
      const { calls } = tables(tx);
      await tx.insert(calls).values([call("CA1", true), call("CA2", true)]);
    });
    expect(await repairLinesHeld(ctx)).toBeUndefined();
    await inTransaction(ctx, async (tx) => {
      const { linesHeld } = tables(tx);
      await tx.update(linesHeld).set({ held: 7 });
    });
    expect(await linesInUse(ctx.db)).toBe(7);
    expect(await repairLinesHeld(ctx)).toEqual({ kept: 7, counted: 2 });
    expect(await linesInUse(ctx.db)).toBe(2);
  });
});
