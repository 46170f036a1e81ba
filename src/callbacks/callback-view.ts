import { maskNumber } from "../calls/phone-number.js";
import type { CallbackRow } from "./callback-store.js";

const iso = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString());

/** A callback item as the API and screens show it; `full` decides whether the number is shown or masked. */
export function publicItem(item: CallbackRow, now: number, full: boolean) {
  return {
    id: item.id,
    number: full ? (item.number ?? (item.numberRaw || "withheld")) : maskNumber(item.number),
    language: item.language,
    topic: item.topic,
    priority: item.priority,
    reason: item.reason,
    missedCalls: item.missedCalls,
    firstMissedAt: iso(item.firstMissedAt),
    lastMissedAt: iso(item.lastMissedAt),
    dueAt: iso(item.dueAt),
    overdue: (item.status === "open" || item.status === "claimed") && item.dueAt <= now,
    attempts: item.attempts,
    nextAttemptAt: iso(item.nextAttemptAt),
    status: item.status,
    claimedBy: item.claimedBy,
    closedAt: iso(item.closedAt),
    // Whether the caller was texted, and where the text got to; "none:<why>" when it was decided not to.
    text: item.textStatus ? { status: item.textStatus, at: iso(item.textedAt) } : null,
  };
}
