import { and, asc, eq } from "drizzle-orm";
import { tables, type Db } from "../../db/storage.js";
import { inTransaction, type Ctx } from "../events/event-log.js";
import { entryForCall } from "../queue/queue-store.js";
import { liveConversation } from "../transfers/transfer-service.js";
import type { Role } from "../users/user-store.js";

/** Why a move on a live call is refused; the pages say each in words (web/errors.js). */
export type LiveCallErrorCode = "not_found" | "not_your_call" | "call_not_live" | "no_endpoint" | "monitor_not_found" | "monitor_not_connected" | "carrier_unavailable";

export class LiveCallError extends Error {
  constructor(readonly code: LiveCallErrorCode, message: string) {
    super(message);
  }
}

/** The two legs of a conversation in the conference named after the call SID. */
export interface LiveLegs {
  callSid: string;
  callerLeg: string;
  agentLeg: string;
  agentId: string | null;
}

/** The caller's and the agent's legs of a call that is answered and still going on. */
export async function liveLegs(db: Db, callSid: string): Promise<LiveLegs> {
  const conversation = await liveConversation(db, callSid);
  const entry = await entryForCall(db, callSid);
  if (!conversation || entry?.status !== "connected" || !entry.agentLegSid) {
    if (!entry) throw new LiveCallError("not_found", `call ${callSid} not found`);
    throw new LiveCallError("call_not_live", "the call is not connected to an agent now");
  }
  return { callSid, callerLeg: conversation.callerLeg, agentLeg: entry.agentLegSid, agentId: conversation.agentId };
}

/** An agent controls their own call only; supervisors and admins any call. */
export function checkMayControl(user: { id: string; role: Role }, legs: LiveLegs): void {
  if (user.role === "agent" && legs.agentId !== user.id) throw new LiveCallError("not_your_call", "this is not your call");
}

export type Control = "hold" | "mute" | "hangup";

/** Records a control the carrier carried out: who put the caller on hold, muted the agent, hung up. */
export async function recordControl(ctx: Ctx, legs: LiveLegs, userId: string, control: Control, on: boolean): Promise<void> {
  await inTransaction(ctx, async (_tx, record) => {
    await record({ type: "call.control", callSid: legs.callSid, userId, data: { control, on, agentId: legs.agentId } });
  });
}

/** Whether the caller is on hold and the agent muted now, from the call's recorded controls. */
export async function controlState(db: Db, callSid: string): Promise<{ held: boolean; muted: boolean }> {
  const { events } = tables(db);
  const rows = await db.select({ data: events.data }).from(events).where(and(eq(events.callSid, callSid), eq(events.type, "call.control"))).orderBy(asc(events.id));
  const state = { held: false, muted: false };
  for (const { data } of rows) {
    if (data.control === "hold") state.held = data.on === true;
    if (data.control === "mute") state.muted = data.on === true;
  }
  return state;
}
