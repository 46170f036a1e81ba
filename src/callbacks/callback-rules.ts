/** The callback backlog's rules as pure functions: due times, merging misses, urgency, retries. */

export type Priority = "normal" | "emergency";
/** Why a caller is on the backlog. `outage`: the carrier took the call while the server could not (see src/calls/outage-calls.ts). */
export const MISS_REASONS = ["overflow", "abandoned_ivr", "abandoned_queue", "abandoned_ringing", "requested", "no_answer", "outage"] as const;
export type MissReason = (typeof MISS_REASONS)[number];
export type AttemptOutcome = "reached" | "no_answer" | "busy" | "failed" | "wrong_number" | "voicemail";

export interface CallbackPolicy {
  slaMinutes: Record<Priority, number>;
  /** Minutes to wait after each failed attempt; its length + 1 is the number of tries. */
  retryMinutes: number[];
  claimMinutes: number;
}

export interface Miss {
  at: number;
  reason: MissReason;
  language: string | null;
  topic: string | null;
  priority: Priority;
  callSid: string;
}

export interface ItemFacts {
  language: string | null;
  topic: string | null;
  priority: Priority;
  reason: MissReason;
  missedCalls: number;
  firstMissedAt: number;
  lastMissedAt: number;
  dueAt: number;
}

/**
 * Agents work the items of the languages they speak, and those whose language was never chosen. The
 * backlog list applies the same rule in SQL (src/http/api/callback-routes.ts).
 */
export const speaksItemLanguage = (agent: { languages: string[] }, item: { language: string | null }) =>
  !item.language || agent.languages.includes(item.language);

export const dueAt = (policy: CallbackPolicy, priority: Priority, from: number) => from + policy.slaMinutes[priority] * 60_000;

/** A first miss makes a new item. */
export function newItem(policy: CallbackPolicy, miss: Miss): ItemFacts {
  return {
    language: miss.language,
    topic: miss.topic,
    priority: miss.priority,
    reason: miss.reason,
    missedCalls: 1,
    firstMissedAt: miss.at,
    lastMissedAt: miss.at,
    dueAt: dueAt(policy, miss.priority, miss.at),
  };
}

/**
 * A further miss by the same caller: counted on the one open item. The item keeps the most informative
 * facts (a chosen language and topic over none; emergency over normal) and an emergency brings the
 * deadline forward, never back. An explicit request to be called back is not overwritten by a hang-up.
 */
export function mergeMiss(policy: CallbackPolicy, item: ItemFacts, miss: Miss): ItemFacts {
  const priority: Priority = item.priority === "emergency" || miss.priority === "emergency" ? "emergency" : "normal";
  const informative = miss.priority === "emergency" || item.priority !== "emergency";
  return {
    language: (informative ? miss.language : null) ?? item.language ?? miss.language,
    topic: (informative ? miss.topic : null) ?? item.topic ?? miss.topic,
    priority,
    reason: item.reason === "requested" ? "requested" : miss.reason,
    missedCalls: item.missedCalls + 1,
    firstMissedAt: item.firstMissedAt,
    lastMissedAt: Math.max(item.lastMissedAt, miss.at),
    dueAt: Math.min(item.dueAt, dueAt(policy, priority, miss.at)),
  };
}

export type AfterAttempt =
  | { status: "reached" }
  | { status: "not_callable" }
  | { status: "unreachable" }
  | { status: "open"; nextAttemptAt: number };

/** What an attempt's outcome does to the item: done, or tried again later, or given up after the last try. */
export function afterAttempt(policy: CallbackPolicy, attemptsMade: number, outcome: AttemptOutcome, now: number): AfterAttempt {
  if (outcome === "reached") return { status: "reached" };
  if (outcome === "wrong_number") return { status: "not_callable" };
  const wait = policy.retryMinutes[attemptsMade - 1];
  if (wait === undefined) return { status: "unreachable" };
  return { status: "open", nextAttemptAt: now + wait * 60_000 };
}

/** Twilio's final status of an unanswered leg, as an attempt outcome. */
export function outcomeOfUnanswered(status: string): AttemptOutcome {
  if (status === "busy") return "busy";
  if (status === "failed") return "failed";
  return "no_answer";
}
