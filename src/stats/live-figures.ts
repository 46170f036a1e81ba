import { and, eq, gte, inArray, sql } from "drizzle-orm";
import { calls, queueEntries, users } from "../../db/schema.js";
import type { Db } from "../../db/connection.js";
import { capacity, linesInUse } from "../lines/line-capacity.js";
import { LANGUAGES } from "../languages.js";

import { startOf } from "../reports/time-buckets.js";

const AGENT_STATUSES = ["offline", "available", "offered", "on_call", "wrap_up", "break"] as const;

export interface CallbackFigures {
  open: number;
  overdue: number;
  oldestAgeSeconds: number;
}

/** GET /api/stats and the wallboard: every figure counted from the records, none kept as a tally. */
/** "Today" starts at midnight in the hotline's time zone (TIMEZONE), as the reports' days do. */
export function liveFigures(db: Db, now: number, serviceLevelSeconds: number, callbacks: CallbackFigures, zone: string) {
  const waiting = db
    .select({ language: queueEntries.language, enqueuedAt: queueEntries.enqueuedAt })
    .from(queueEntries)
    .where(and(inArray(queueEntries.status, ["waiting", "offered"]), eq(queueEntries.kind, "live")))
    .all();
  const byLanguage: Record<string, number> = Object.fromEntries(LANGUAGES.map((l) => [l, 0]));
  for (const w of waiting) byLanguage[w.language] = (byLanguage[w.language] ?? 0) + 1;
  const oldest = Math.min(now, ...waiting.map((w) => w.enqueuedAt));

  const agents: Record<string, number> = Object.fromEntries(AGENT_STATUSES.map((s) => [s, 0]));
  for (const row of db.select({ status: users.status, n: sql<number>`count(*)` }).from(users).where(eq(users.role, "agent")).groupBy(users.status).all()) {
    agents[row.status] = row.n;
  }

  const threshold = serviceLevelSeconds * 1000;
  const today = db
    .select({
      offered: sql<number>`count(*)`,
      answered: sql<number>`sum(case when ${calls.connectedAt} is not null then 1 else 0 end)`,
      abandoned: sql<number>`sum(case when ${calls.outcome} like 'abandoned%' then 1 else 0 end)`,
      overflow: sql<number>`sum(case when ${calls.outcome} = 'overflow' then 1 else 0 end)`,
      inTime: sql<number>`sum(case when ${calls.connectedAt} - ${calls.queuedAt} <= ${threshold} then 1 else 0 end)`,
      speed: sql<number | null>`avg(case when ${calls.connectedAt} is not null then ${calls.connectedAt} - ${calls.queuedAt} end)`,
    })
    .from(calls)
    .where(and(eq(calls.direction, "inbound"), gte(calls.createdAt, startOf(zone, now, "day"))))
    .get();
  const answered = today?.answered ?? 0;
  const abandoned = today?.abandoned ?? 0;
  return {
    lines: { capacity: capacity(db), inUse: linesInUse(db) },
    queue: { waiting: waiting.length, byLanguage, longestWaitSeconds: Math.round((now - oldest) / 1000) },
    agents,
    today: {
      offered: today?.offered ?? 0,
      answered,
      abandoned,
      overflow: today?.overflow ?? 0,
      // Share (0..1) of answered-or-abandoned callers answered within the threshold; 1 while nobody has
      // waited yet, as contact-center wallboards show it.
      serviceLevel: answered + abandoned > 0 ? Number(((today?.inTime ?? 0) / (answered + abandoned)).toFixed(3)) : 1,
      averageSpeedOfAnswerSeconds: today?.speed == null ? 0 : Math.round(today.speed / 1000),
    },
    callbacks,
  };
}
export type LiveFigures = ReturnType<typeof liveFigures>;
