import { and, eq, inArray, isNotNull } from "drizzle-orm";
import { tables } from "../../db/storage.js";
import { holdingLine, repairLinesHeld } from "./line-capacity.js";
import { missOffer } from "../queue/queue-service.js";
import { agentLegEnded, conferencePresence, customerLeg } from "../queue/connecting.js";
import { entryById } from "../queue/queue-store.js";
import { applyInboundStatus } from "../calls/call-lifecycle.js";
import { recoverOutageCalls } from "../calls/outage-calls.js";
import type { Ctx } from "../events/event-log.js";
import type { Logger } from "../logger.js";
import { loggableError } from "../log-scrub.js";
import type { CarrierApi } from "../telephony/carrier-api.js";

/**
 * Repairs drift between our lines and the carrier's live calls: a status callback that never came (or
 * came while the server was down) would otherwise hold a line forever. Closes such calls with the
 * carrier's own final status, through the same path a status callback takes.
 */
export async function reconcileLines(ctx: Ctx, carrier: CarrierApi, log: Logger): Promise<number> {
  // The number of lines held that arrivals decide on, against the calls' own count (triggers keep it).
  const repaired = await repairLinesHeld(ctx);
  if (repaired) log.error(repaired, "lines held was not the count of calls holding a line: set to the count");
  const { calls, queueEntries } = tables(ctx.db);
  const holding = await ctx.db.select({ sid: calls.sid }).from(calls).where(holdingLine(calls));
  const agentLegs = await ctx.db
    .select({ id: queueEntries.id, status: queueEntries.status, leg: queueEntries.agentLegSid })
    .from(queueEntries)
    .where(and(inArray(queueEntries.status, ["offered", "connecting", "connected"]), isNotNull(queueEntries.agentLegSid)));
  if (holding.length === 0 && agentLegs.length === 0) return 0;
  const live = await carrier.liveCallSids();
  let closed = 0;
  for (const { sid } of holding) {
    if (live.has(sid)) continue;
    // Not in the live list may only mean it started after the list was taken: the call's own record decides.
    const status = await carrier.finalStatus(sid);
    if (!status) continue;
    await applyInboundStatus(ctx, { sid, status, sequence: "reconciled" });
    closed += 1;
    log.warn({ callSid: sid, status }, "closed a call the carrier had ended without telling us");
  }
  // Agents' legs too: an agent whose call ended while we were not listening must not stay "on a call".
  for (const { id, status, leg } of agentLegs) {
    if (!leg || live.has(leg)) continue;
    const final = await carrier.finalStatus(leg);
    if (!final) continue;
    if (status === "offered") await missOffer(ctx, id, final, leg);
    else await agentLegEnded(ctx, id, leg, final);
    closed += 1;
    log.warn({ callSid: leg, status: final }, "closed an agent leg the carrier had ended without telling us");
  }
  await reconcileConnecting(ctx, carrier, log);
  return closed;
}

/**
 * Callers being connected whose conference events never came (sent while the server was unreachable):
 * the carrier's live conference says who is in it. Reported under the events' own keys, so a late event
 * changes nothing twice.
 */
async function reconcileConnecting(ctx: Ctx, carrier: CarrierApi, log: Logger): Promise<void> {
  const { queueEntries } = tables(ctx.db);
  const connecting = await ctx.db.select().from(queueEntries).where(eq(queueEntries.status, "connecting"));
  for (const entry of connecting) {
    const conferenceSid = await carrier.conferenceSid(entry.callSid);
    if (!conferenceSid) continue;
    const present = new Set(await carrier.conferenceLegs(conferenceSid));
    for (const legSid of [entry.agentLegSid, customerLeg(entry)]) {
      if (!legSid || !present.has(legSid)) continue;
      await conferencePresence(ctx, { entryId: entry.id, legSid, change: "join", conferenceSid });
    }
    if ((await entryById(ctx.db, entry.id))?.status === "connected") log.warn({ callSid: entry.callSid }, "counted a call answered whose conference events never came");
  }
}

export interface Reconciliation {
  stop(): void;
  /** Resolves once the reading under way (if any) is done: tests wait on it instead of sleeping. */
  idle(): Promise<void>;
}

/**
 * Runs reconciliation now and then every `seconds`, on the injected clock: lines against the carrier's
 * live calls, then the carrier's call log of the hotline `numbers` for calls taken during an outage.
 */
export function scheduleReconciliation(ctx: Ctx, carrier: CarrierApi, log: Logger, seconds: number, numbers: string[]): Reconciliation {
  let cancel = () => {};
  let stopped = false;
  let current: Promise<void> = Promise.resolve();
  const tick = () => {
    current = reconcileLines(ctx, carrier, log)
      .catch((err: unknown) => log.warn({ err: loggableError(err) }, "line reconciliation failed; will try again"))
      .then(() => recoverOutageCalls(ctx, carrier, numbers, log))
      .catch((err: unknown) => log.warn({ err: loggableError(err) }, "reading the carrier's call log failed; will try again"))
      .then(() => {
        if (!stopped) cancel = ctx.clock.setTimer(seconds * 1000, tick);
      });
  };
  tick();
  return {
    stop() {
      stopped = true;
      cancel();
    },
    idle: () => current,
  };
}
