import { desc, eq } from "drizzle-orm";
import { first, tables, type Db } from "../../db/storage.js";
import { recordMiss } from "../callbacks/callback-service.js";
import { inTransaction, type Ctx } from "../events/event-log.js";
import type { Logger } from "../logger.js";
import type { CarrierApi, LoggedCall } from "../telephony/carrier-api.js";
import { endCall, isTerminalStatus } from "./call-lifecycle.js";
import { findCall, type CallRow } from "./call-store.js";
import { toE164 } from "./phone-number.js";

/**
 * Calls the carrier took while the server could not handle them: a caller who reached the number
 * during an outage is stored as missed (outcome `outage`) and called back like any missed caller.
 */

/** Where the call became known: the number's fallback URL, or the carrier's call log read afterwards. */
export type OutageSource = "fallback" | "call_log";

/**
 * Stores one such call in one transaction with its event and its callback item. A call the server
 * already ended changes nothing; one it knows and still thinks live ends as `outage` (only the fallback
 * URL can say so: the call log never overrides what the server knows). Returns the row, if it changed.
 */
export function recordOutageCall(ctx: Ctx, call: LoggedCall, source: OutageSource): Promise<CallRow | undefined> {
  return inTransaction(ctx, async (tx, record) => {
    const { calls } = tables(tx);
    const known = await findCall(tx, call.sid);
    if (known && (known.state === "ended" || source === "call_log")) return undefined;
    const now = ctx.clock.now();
    if (known) return endCall(ctx, tx, record, known, call.status, now, "outage");
    const inserted = await tx
      .insert(calls)
      .values({
        sid: call.sid,
        direction: "inbound",
        fromRaw: call.from,
        fromE164: toE164(call.from),
        toRaw: call.to,
        state: "ended",
        outcome: "outage",
        carrierStatus: call.status,
        createdAt: call.startedAt,
        endedAt: call.endedAt ?? now,
      })
      .returning();
    const row = inserted[0]!;
    await record({ type: "call.outage", callSid: call.sid, data: { source, status: call.status } });
    // The miss dates from when the caller rang: a long outage leaves their item overdue at once.
    await recordMiss(tx, record, ctx.callbackPolicy, row, "outage", call.startedAt);
    return row;
  });
}

const WATERMARK_KEY = "outage_scan_since";
/**
 * Each reading of the call log starts this long before the last one ended: a carrier's log may list a
 * call late, and clocks differ a little. Calls read twice are known by their SID and skipped.
 */
const OVERLAP_MS = 5 * 60_000;

/**
 * Where the next reading of the call log starts: the stored watermark; before the first reading, the
 * newest inbound call the server knows (an upgraded database); on an empty database, now — calls
 * before the hotline's first start were not its calls (the number may have served something else).
 */
async function scanStart(db: Db, now: number): Promise<number> {
  const { calls, settings } = tables(db);
  const stored = first(await db.select({ value: settings.value }).from(settings).where(eq(settings.key, WATERMARK_KEY)));
  if (typeof stored?.value === "number") return stored.value;
  const newest = first(
    await db
      .select({ at: calls.createdAt })
      .from(calls)
      .where(eq(calls.direction, "inbound"))
      .orderBy(desc(calls.createdAt))
      .limit(1),
  );
  return newest?.at ?? now;
}

/**
 * Reads the carrier's call log for the hotline numbers and stores every inbound call the server never
 * saw and the carrier has ended. A call still live there but unknown here is being admitted right now
 * (or is about to fail over to the fallback URL): it is left alone, and the next reading starts no
 * later than its start. Returns how many calls were stored.
 */
export async function recoverOutageCalls(ctx: Ctx, carrier: CarrierApi, numbers: string[], log: Logger): Promise<number> {
  const now = ctx.clock.now();
  const since = await scanStart(ctx.db, now);
  const logged = (await Promise.all(numbers.map((n) => carrier.inboundCallsSince(n, since)))).flat();
  let earliestLive = Number.POSITIVE_INFINITY;
  let stored = 0;
  for (const call of logged) {
    if (call.startedAt < since || (await findCall(ctx.db, call.sid))) continue;
    if (!isTerminalStatus(call.status)) {
      earliestLive = Math.min(earliestLive, call.startedAt);
      continue;
    }
    if (!(await recordOutageCall(ctx, call, "call_log"))) continue;
    stored += 1;
    log.warn({ callSid: call.sid, status: call.status }, "stored a call the carrier took while the server was unreachable; the caller will be called back");
  }
  const next = Math.max(since, Math.min(now - OVERLAP_MS, earliestLive));
  // Bookkeeping of the reader, not a state change of any call: no event of its own.
  await inTransaction(ctx, async (tx) => {
    const { settings } = tables(tx);
    await tx.insert(settings).values({ key: WATERMARK_KEY, value: next }).onConflictDoUpdate({ target: settings.key, set: { value: next } });
  });
  return stored;
}
