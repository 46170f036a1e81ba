import { queueOrder, type Queued } from "./queue-order.js";

export interface FreeAgent {
  id: string;
  languages: string[];
  /** When the agent last became free: the longest idle is offered first. */
  idleSince: number | null;
}

export interface Match<E extends Queued, A extends FreeAgent> {
  entry: E;
  agent: A;
}

/**
 * Who gets which call: the highest-priority, longest-waiting call goes to the longest-idle available
 * agent who speaks its language; a call no free agent speaks waits without holding up the others.
 */
export function matchCallsToAgents<E extends Queued, A extends FreeAgent>(waiting: E[], free: A[]): Match<E, A>[] {
  const agents = [...free].sort((a, b) => (a.idleSince ?? 0) - (b.idleSince ?? 0) || a.id.localeCompare(b.id));
  const taken = new Set<string>();
  const matches: Match<E, A>[] = [];
  for (const entry of [...waiting].sort(queueOrder)) {
    const agent = agents.find((a) => !taken.has(a.id) && a.languages.includes(entry.language));
    if (!agent) continue;
    taken.add(agent.id);
    matches.push({ entry, agent });
    if (taken.size === agents.length) break;
  }
  return matches;
}
