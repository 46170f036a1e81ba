import { and, eq } from "drizzle-orm";
import { first, tables, type Db } from "../../db/storage.js";
import type { RecordEvent, Tx } from "../events/event-log.js";
import type { UserRow } from "../users/user-store.js";

export type AgentStatus = UserRow["status"];

/** Statuses an agent may choose; the others follow calls. */
export const SELF_SET = ["available", "break", "offline"] as const;
export type SelfSetStatus = (typeof SELF_SET)[number];

export class PresenceError extends Error {}

export async function findAgent(db: Db, id: string): Promise<UserRow | undefined> {
  const { users } = tables(db);
  return first(await db.select().from(users).where(and(eq(users.id, id), eq(users.role, "agent"))));
}

/**
 * Moves an agent to a status and writes why. Becoming available starts the idle clock that routing
 * uses to pick the longest-idle agent; an agent whose call fell through keeps their place.
 */
export async function moveAgent(
  tx: Tx,
  record: RecordEvent,
  agent: UserRow,
  to: AgentStatus,
  now: number,
  reason: string,
  extra: { currentCallSid?: string | null; keepIdleSince?: boolean } = {},
): Promise<UserRow> {
  const { users } = tables(tx);
  // A deactivated agent finishes the call (or ringing offer) they were on, then goes offline, never back to the queue.
  if (!agent.active && (to === "available" || to === "break")) {
    to = "offline";
    reason = "deactivated";
  }
  const becomesFree = to === "available" && agent.status !== "available";
  const patch = {
    status: to,
    statusSince: now,
    idleSince: becomesFree && !extra.keepIdleSince ? now : agent.idleSince,
    currentCallSid: extra.currentCallSid === undefined ? agent.currentCallSid : extra.currentCallSid,
  };
  await tx.update(users).set(patch).where(eq(users.id, agent.id));
  await record({ type: "agent.status", userId: agent.id, callSid: patch.currentCallSid, data: { from: agent.status, to, reason, since: now } });
  return { ...agent, ...patch };
}

/** What an agent asks for from the desktop. Mid-call changes wait: a call is never dropped by a click. */
export async function chooseStatus(tx: Tx, record: RecordEvent, agent: UserRow, to: SelfSetStatus, now: number): Promise<UserRow> {
  if (agent.status === to) return agent;
  if (agent.status === "offered" || agent.status === "on_call") {
    throw new PresenceError(`cannot change to ${to} while ${agent.status === "offered" ? "a call is ringing" : "on a call"}`);
  }
  return moveAgent(tx, record, agent, to, now, agent.status === "wrap_up" ? "wrap_up_ended_by_agent" : "agent");
}

export async function freeAgents(db: Db): Promise<UserRow[]> {
  const { users } = tables(db);
  // Active too: a deactivated agent is never offered a call, whatever status a race may have left.
  return db.select().from(users).where(and(eq(users.role, "agent"), eq(users.status, "available"), eq(users.active, true)));
}
