/** Queue order and positions as pure functions over plain rows. */

export interface Queued {
  id: number;
  language: string;
  priority: "normal" | "emergency";
  enqueuedAt: number;
}

/** Emergency first, then by arrival; the id breaks ties so the order is total and stable. */
export function queueOrder(a: Queued, b: Queued): number {
  if (a.priority !== b.priority) return a.priority === "emergency" ? -1 : 1;
  return a.enqueuedAt - b.enqueuedAt || a.id - b.id;
}

/**
 * Expected wait: the callers ahead are shared among the agents who speak the language, each taking
 * about one average handle time. Rounded up to whole minutes for the announcement.
 */
export function estimateWaitMinutes(position: number, agentsForLanguage: number, averageHandleSeconds: number): number {
  const rounds = Math.ceil(position / Math.max(1, agentsForLanguage));
  return Math.max(1, Math.ceil((rounds * averageHandleSeconds) / 60));
}
