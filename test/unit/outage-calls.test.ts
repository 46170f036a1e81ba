import { describe, expect, it } from "vitest";
import pino from "pino";
import { openSqliteStorage } from "../../db/sqlite-storage.js";
import { tables } from "../../db/storage.js";
import { ManualClock } from "../../src/clock.js";
import { findCall } from "../../src/calls/call-store.js";
import { recoverOutageCalls } from "../../src/calls/outage-calls.js";
import type { CarrierApi, LoggedCall } from "../../src/telephony/carrier-api.js";
import { closeAfterTests, domainContext } from "../support/test-storage.js";

const HOTLINE = "+6621300000";
const log = pino({ level: "silent" });

function setup() {
  const clock = new ManualClock();
  const storage = openSqliteStorage(":memory:", { checkpointIntervalMs: 1_000, onError: () => {} });
  closeAfterTests(storage);
  const ctx = domainContext(storage, clock);
  const log_: LoggedCall[] = [];
  const asked: number[] = [];
  // Only the call log is read; the carrier behaves like Twilio's `StartTime>=` filter.
  const carrier = {
    async inboundCallsSince(number: string, since: number) {
      asked.push(since);
      return log_.filter((c) => c.to === number && c.startedAt >= since);
    },
  } as unknown as CarrierApi;
  return { ctx, clock, carrier, callLog: log_, asked };
}

const sid = (n: number) => `CA${String(n).padStart(32, "0")}`;

describe("calls the carrier took during an outage", () => {
  it("only ended calls become missed; a live unknown call waits, and the next reading still reaches it", async () => {
    const { ctx, clock, carrier, callLog, asked } = setup();
    // First start on an empty database: nothing before now belongs to the hotline.
    callLog.push({ sid: sid(1), from: "+66810000001", to: HOTLINE, status: "completed", startedAt: clock.now() - 1000, endedAt: clock.now() - 500 });
    expect(await recoverOutageCalls(ctx, carrier, [HOTLINE], log)).toBe(0);
    const start = clock.now();

    await clock.advance(10 * 60_000);
    callLog.push({ sid: sid(2), from: "+66810000002", to: HOTLINE, status: "no-answer", startedAt: start + 60_000, endedAt: start + 61_000 });
    callLog.push({ sid: sid(3), from: "+66810000003", to: HOTLINE, status: "ringing", startedAt: start + 120_000, endedAt: undefined });
    expect(await recoverOutageCalls(ctx, carrier, [HOTLINE], log)).toBe(1);
    expect(await findCall(ctx.db, sid(2))).toMatchObject({ state: "ended", outcome: "outage", holdsLine: false, createdAt: start + 60_000 });
    expect(await findCall(ctx.db, sid(3))).toBeUndefined();

    // Much later the live call has ended without the server ever hearing of it.
    await clock.advance(60 * 60_000);
    callLog[2] = { ...callLog[2]!, status: "completed", endedAt: start + 180_000 };
    expect(await recoverOutageCalls(ctx, carrier, [HOTLINE], log)).toBe(1);
    expect(asked[2]).toBeLessThanOrEqual(start + 120_000);
    expect(await findCall(ctx.db, sid(3))).toMatchObject({ outcome: "outage" });

    // Read again: nothing new, nothing twice.
    expect(await recoverOutageCalls(ctx, carrier, [HOTLINE], log)).toBe(0);
    const { callbacks } = tables(ctx.db);
    const items = await ctx.db.select().from(callbacks).orderBy(callbacks.id);
    expect(items.map((i) => [i.number, i.reason, i.missedCalls])).toEqual([
      ["+66810000002", "outage", 1],
      ["+66810000003", "outage", 1],
    ]);
    // The miss dates from the call, so its deadline runs from when the caller rang.
    expect(items[0]!.firstMissedAt).toBe(start + 60_000);
  });
});
