import { and, asc, eq, like } from "drizzle-orm";
import { tables, type Db } from "../../db/storage.js";
import { auditEvent } from "../audit/audit-log.js";
import { inTransaction, type Ctx } from "../events/event-log.js";
import type { LiveLegs } from "../calls/live-call.js";

/**
 * A supervisor on a live call: listen (muted, hears both), whisper (heard by the agent only: the
 * carrier's coaching), barge (heard by everyone). The supervisor's leg is a third participant of the
 * caller's conference; it never counts toward "answered" (src/queue/connecting.ts looks at the entry's
 * own two legs only), and when it hangs up the caller and the agent carry on as they were.
 */
export const MONITOR_MODES = ["listen", "whisper", "barge"] as const;
export type MonitorMode = (typeof MONITOR_MODES)[number];

export interface Monitor {
  /** The supervisor's leg (its call SID): the monitor's id. */
  id: string;
  callSid: string;
  supervisorId: string;
  /** The agent on the call when monitoring started: the one told of it. */
  agentId: string | null;
  mode: MonitorMode;
  startedAt: number;
  endedAt: number | null;
}

/** What the carrier should make of the supervisor's participant for a mode. */
export function participantFor(mode: MonitorMode, agentLeg: string): { muted: boolean; coach: string | null } {
  if (mode === "listen") return { muted: true, coach: null };
  if (mode === "whisper") return { muted: false, coach: agentLeg };
  return { muted: false, coach: null };
}

/** The monitors of a call, from its monitor.* events (the database is the truth; there is no memory of them). */
export async function monitorsOf(db: Db, callSid: string): Promise<Monitor[]> {
  const { events } = tables(db);
  const rows = await db.select().from(events).where(and(eq(events.callSid, callSid), like(events.type, "monitor.%"))).orderBy(asc(events.id));
  const byId = new Map<string, Monitor>();
  for (const e of rows) {
    const id = String(e.data.monitorId);
    if (e.type === "monitor.started") byId.set(id, { id, callSid, supervisorId: e.userId ?? "", agentId: (e.data.agentId as string | null) ?? null, mode: e.data.mode as MonitorMode, startedAt: e.at, endedAt: null });
    const m = byId.get(id);
    if (!m) continue;
    if (e.type === "monitor.changed") m.mode = e.data.mode as MonitorMode;
    if (e.type === "monitor.ended") m.endedAt ??= e.at;
  }
  return [...byId.values()];
}

export const liveMonitor = async (db: Db, callSid: string, id: string) => (await monitorsOf(db, callSid)).find((m) => m.id === id && m.endedAt === null);

type Change = { kind: "started" | "changed"; mode: MonitorMode } | { kind: "ended"; mode?: undefined };

/**
 * Every use is audited (audit.call_monitored: the mode and who) and the agent told (call.monitored,
 * src/realtime/hub.ts). An end is recorded once, whether the supervisor stopped it or hung up.
 */
export async function recordMonitor(ctx: Ctx, legs: Pick<LiveLegs, "callSid" | "agentId">, monitorId: string, userId: string, change: Change): Promise<boolean> {
  return inTransaction(ctx, async (_tx, record) => {
    const data = { monitorId, agentId: legs.agentId, ...(change.mode ? { mode: change.mode } : {}) };
    const fresh = await record({ type: `monitor.${change.kind}`, callSid: legs.callSid, userId, data, ...(change.kind === "ended" ? { dedupeKey: `monitor-ended:${monitorId}` } : {}) });
    if (fresh) {
      await record(auditEvent({ action: "call_monitored", userId, ids: [legs.callSid], callSid: legs.callSid, details: { mode: change.mode ?? "ended", change: change.kind, monitorId } }));
    }
    return fresh;
  });
}
