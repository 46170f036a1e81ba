/*
 * Agents' time, rebuilt from the `agent.status` events: each event starts a segment in its `to` status,
 * which lasts until that agent's next event. Talk is time `on_call`, wrap-up time `wrap_up`, both started
 * by an event that names the call; so one timeline serves the per-agent report and the handle time of calls.
 */

export interface StatusChange {
  userId: string;
  at: number;
  to: string;
  /** The call the agent was on when the change happened (the event's call_sid). */
  callSid: string | null;
}

export interface Segment {
  userId: string;
  status: string;
  start: number;
  end: number;
  callSid: string | null;
}

/** Changes in time order (ties in their recorded order) → segments, the last of each agent ending at `until`. */
export function statusSegments(changes: readonly StatusChange[], until: number): Segment[] {
  const open = new Map<string, Segment>();
  const done: Segment[] = [];
  for (const c of changes) {
    const current = open.get(c.userId);
    if (current) done.push({ ...current, end: Math.max(current.start, Math.min(c.at, until)) });
    open.set(c.userId, { userId: c.userId, status: c.to, start: c.at, end: c.at, callSid: c.callSid });
  }
  for (const s of open.values()) done.push({ ...s, end: Math.max(s.start, until) });
  return done;
}

/** Seconds in each status per agent, counting only the part of each segment inside [from, to). */
export function secondsByStatus(segments: readonly Segment[], from: number, to: number): Map<string, Record<string, number>> {
  const result = new Map<string, Record<string, number>>();
  for (const s of segments) {
    const overlap = Math.min(s.end, to) - Math.max(s.start, from);
    if (overlap <= 0) continue;
    const totals = result.get(s.userId) ?? {};
    totals[s.status] = (totals[s.status] ?? 0) + overlap / 1000;
    result.set(s.userId, totals);
  }
  return result;
}

/** Per call: talk (its `on_call` segment) and wrap-up (the `wrap_up` segment that names it), in seconds. */
export function handleTimes(segments: readonly Segment[]): Map<string, { talkSeconds: number; wrapUpSeconds: number }> {
  const result = new Map<string, { talkSeconds: number; wrapUpSeconds: number }>();
  for (const s of segments) {
    if (!s.callSid || (s.status !== "on_call" && s.status !== "wrap_up")) continue;
    const entry = result.get(s.callSid) ?? { talkSeconds: 0, wrapUpSeconds: 0 };
    if (s.status === "on_call") entry.talkSeconds += (s.end - s.start) / 1000;
    else entry.wrapUpSeconds += (s.end - s.start) / 1000;
    result.set(s.callSid, entry);
  }
  return result;
}
