import type { AgentRow } from "./report-store.js";

/*
 * GET /api/reports/agents: per agent over a period, from their status timeline and their events.
 * Occupancy = (talk + wrap-up) / (talk + wrap-up + ringing + available): the share of the time they could
 * take calls that they spent on them (break and offline are not time they could take calls).
 */

export interface AgentInputs {
  agents: readonly AgentRow[];
  /** Seconds per status per agent within the period (secondsByStatus). */
  seconds: ReadonlyMap<string, Record<string, number>>;
  /** Per agent: calls answered (inbound, caller and agent met), call-backs that reached the caller, offers missed. */
  counts: ReadonlyMap<string, { callsAnswered: number; callbacksReached: number; offersMissed: number }>;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

export function agentFigures(input: AgentInputs) {
  return input.agents.map((agent) => {
    const s = input.seconds.get(agent.id) ?? {};
    const time = (status: string) => s[status] ?? 0;
    const busy = time("on_call") + time("wrap_up");
    const staffed = busy + time("offered") + time("available");
    const c = input.counts.get(agent.id) ?? { callsAnswered: 0, callbacksReached: 0, offersMissed: 0 };
    return {
      id: agent.id,
      name: agent.name,
      languages: agent.languages,
      callsAnswered: c.callsAnswered,
      callbacksReached: c.callbacksReached,
      offersMissed: c.offersMissed,
      talkSeconds: round1(time("on_call")),
      wrapUpSeconds: round1(time("wrap_up")),
      ringingSeconds: round1(time("offered")),
      availableSeconds: round1(time("available")),
      breakSeconds: round1(time("break")),
      occupancy: staffed > 0 ? Number((busy / staffed).toFixed(3)) : null,
    };
  });
}
export type AgentFigures = ReturnType<typeof agentFigures>[number];
