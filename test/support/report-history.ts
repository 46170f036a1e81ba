import { first, tables, type Tables } from "../../db/storage.js";
import { EventBus, inTransaction, type Ctx, type NewEvent } from "../../src/events/event-log.js";
import { findAgent, moveAgent } from "../../src/agents/presence.js";
import type { CallCenter } from "./call-center.js";

/*
 * A history for the reports, seeded straight into the database: calls rows as the call lifecycle leaves
 * them, and events written by the real writers (moveAgent for agent status) or with the shapes they
 * write. Seeding rather than driving calls through the carrier gives every second a chosen value, so each
 * figure is computed by hand (test/e2e/reports.test.ts says how). The server's clock stays at its start,
 * 2026-11-25T03:00Z (10:00 in Bangkok), after it all.
 */

// 2026-11-24 in Bangkok (UTC+7): local hh:mm:ss → instant.
export const bkk = (hms: string) => Date.parse(`2026-11-24T${hms}+07:00`);

interface Seed {
  sid: string;
  created: string;
  queued?: string;
  connected?: string;
  ended: string;
  outcome: string;
  language?: string;
  topic?: string;
  agentId?: string;
  /** An instant given in full (for the time-zone checks) instead of a Bangkok time on 2026-11-24. */
  createdAt?: number;
}

/** The writers of the seed, for one call center. */
function writers(cc: CallCenter) {
  function at(time: number): Ctx {
    // A clock fixed at the event's time and a bus nobody listens to: the running dispatcher must not react.
    return { ...cc.hotline.services.ctx, clock: { now: () => time, setTimer: () => () => {} }, bus: new EventBus() };
  }
  const event = (time: number, e: NewEvent) => inTransaction(at(time), (_tx, record) => record(e));
  const status = (agentId: string, time: string, to: "available" | "offered" | "on_call" | "wrap_up" | "break", callSid: string | null = null) =>
    inTransaction(at(bkk(time)), async (tx, record) => moveAgent(tx, record, (await findAgent(tx, agentId))!, to, bkk(time), "seeded", { currentCallSid: callSid }));

  async function seedCall(c: Seed) {
    const createdAt = c.createdAt ?? bkk(c.created);
    await inTransaction(at(createdAt), async (tx) => {
      const { calls } = tables(tx);
      await tx.insert(calls).values({
        sid: c.sid,
        direction: "inbound",
        fromRaw: "+66800000000",
        state: "ended",
        outcome: c.outcome,
        language: c.language ?? null,
        topic: c.topic ?? null,
        agentId: c.agentId ?? null,
        createdAt,
        queuedAt: c.queued ? bkk(c.queued) : null,
        connectedAt: c.connected ? bkk(c.connected) : null,
        endedAt: c.createdAt ?? bkk(c.ended),
      });
    });
    if (c.connected) await event(bkk(c.connected), { type: "call.connected", callSid: c.sid, userId: c.agentId, data: { kind: "live" } });
  }
  return { event, status, seedCall };
}

export interface ReportHistory {
  agentA: string;
  agentB: string;
  /** Aung's token: an agent's, for the refusals. */
  agentToken: string;
}

/** Seeds the history into a call center with no calls yet; Aung (my, th) and Boonmee (th) are added. */
export async function seedReportHistory(cc: CallCenter): Promise<ReportHistory> {
  const a = await cc.addAgent("Aung", ["my", "th"], { available: false });
  const b = await cc.addAgent("Boonmee", ["th"], { available: false });
  const agentA = a.id;
  const agentB = b.id;
  const ctx = cc.hotline.services.ctx;
  const { event, status, seedCall } = writers(cc);

  // Burmese, 10:00–11:00.
  await seedCall({ sid: "CA1", created: "10:00:00", queued: "10:00:30", connected: "10:00:45", ended: "10:05:45", outcome: "answered", language: "my", topic: "trafficking", agentId: agentA });
  await seedCall({ sid: "CA2", created: "10:10:00", queued: "10:10:40", connected: "10:11:40", ended: "10:15:40", outcome: "answered", language: "my", topic: "trafficking", agentId: agentA });
  await seedCall({ sid: "CA3", created: "10:20:00", queued: "10:20:30", ended: "10:22:00", outcome: "abandoned_queue", language: "my", topic: "violence" });
  await seedCall({ sid: "CA4", created: "10:30:00", ended: "10:30:40", outcome: "abandoned_ivr", language: "my" });
  await seedCall({ sid: "CA5", created: "10:40:00", queued: "10:40:20", ended: "10:40:50", outcome: "abandoned_ringing", language: "my", topic: "violence" });
  await seedCall({ sid: "CA6", created: "10:50:00", queued: "10:50:10", ended: "10:52:10", outcome: "callback_requested", language: "my", topic: "other" });
  // No language chosen: every line busy, or gone in the language menu.
  await seedCall({ sid: "CA7", created: "10:55:00", ended: "10:55:00", outcome: "overflow" });
  await seedCall({ sid: "CA8", created: "10:56:00", ended: "10:56:20", outcome: "abandoned_ivr" });
  // Thai, answered by B at once.
  await seedCall({ sid: "CA9", created: "10:05:00", queued: "10:05:10", connected: "10:05:20", ended: "10:07:20", outcome: "answered", language: "th", topic: "violence", agentId: agentB });
  // 23:30 local on the 24th, and 23:30 UTC on the 24th = 06:30 local on the 25th.
  await seedCall({ sid: "CA10", created: "", ended: "", outcome: "abandoned_ivr", language: "th", createdAt: Date.parse("2026-11-24T16:30:00Z") });
  await seedCall({ sid: "CA11", created: "", ended: "", outcome: "abandoned_ivr", language: "th", createdAt: Date.parse("2026-11-24T23:30:00Z") });

  // A: available from 09:30, two calls, a break; B: available from 09:00, one call.
  await status(agentA, "09:30:00", "available");
  await status(agentA, "10:00:35", "offered", "CA1");
  await status(agentA, "10:00:45", "on_call", "CA1");
  await status(agentA, "10:05:45", "wrap_up", "CA1");
  await status(agentA, "10:06:45", "available");
  await status(agentA, "10:11:30", "offered", "CA2");
  await status(agentA, "10:11:40", "on_call", "CA2");
  await status(agentA, "10:15:40", "wrap_up", "CA2");
  await status(agentA, "10:16:10", "available");
  await status(agentA, "10:30:00", "break");
  await status(agentA, "10:45:00", "available");
  await status(agentB, "09:00:00", "available");
  await status(agentB, "10:05:12", "offered", "CA9");
  await status(agentB, "10:05:20", "on_call", "CA9");
  await status(agentB, "10:07:20", "wrap_up", "CA9");
  await status(agentB, "10:08:20", "available");
  await event(bkk("10:03:00"), { type: "offer.missed", callSid: "CA3", userId: agentB, data: { reason: "no_answer" } });

  // Callback items of CA3 (reached at 11:30) and CA5 (due at 10:59, still open: overdue in the 10:00 hour).
  const item = async (sid: string, missed: string, due: string, extra: Partial<Tables["callbacks"]["$inferInsert"]>) => {
    const row = (await inTransaction(ctx, async (tx) => {
      const { callbacks } = tables(tx);
      return first(await tx.insert(callbacks).values({ number: `+6680000000${sid.slice(2)}`, language: "my", topic: "violence", reason: "abandoned_queue", firstMissedAt: bkk(missed), lastMissedAt: bkk(missed), lastCallSid: sid, dueAt: bkk(due), ...extra }).returning());
    }))!;
    await event(bkk(missed), { type: "callback.created", callSid: sid, callbackId: row.id, data: { reason: row.reason } });
  };
  await item("CA3", "10:22:00", "12:22:00", { status: "reached", closedAt: bkk("11:30:00") });
  await item("CA5", "10:40:50", "10:59:00", { reason: "abandoned_ringing" });
  return { agentA, agentB, agentToken: a.token };
}
