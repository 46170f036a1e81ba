import { and, eq, gte, inArray, sql } from "drizzle-orm";
import { executed, prepared } from "../../db/prepared.js";
import { countAll, first, tables, type Db } from "../../db/storage.js";
import { capacity, linesInUse } from "../lines/line-capacity.js";
import { LANGUAGES } from "../languages.js";

import { startOf } from "../reports/time-buckets.js";

const AGENT_STATUSES = ["offline", "available", "offered", "on_call", "wrap_up", "break"] as const;

export interface CallbackFigures {
  open: number;
  overdue: number;
  oldestAgeSeconds: number;
}

/** An average over no rows is null on both engines (drizzle decodes only values that are not null). */
const nullableNumber = (value: unknown): number | null => (value === null ? null : Number(value));

/** GET /api/stats and the wallboard: every figure counted from the records, none kept as a tally. */
/** "Today" starts at midnight in the hotline's time zone (TIMEZONE), as the reports' days do. */
export async function liveFigures(db: Db, now: number, serviceLevelSeconds: number, callbacks: CallbackFigures, zone: string) {
  const { calls, queueEntries, users } = tables(db);
  // Asked on every request and every push to the wallboards: each query is built once per connection.
  const waitingQuery = prepared(db, "liveWaiting", () =>
    db
      .select({ language: queueEntries.language, enqueuedAt: queueEntries.enqueuedAt })
      .from(queueEntries)
      .where(and(inArray(queueEntries.status, ["waiting", "offered"]), eq(queueEntries.kind, "live")))
      .prepare("liveWaiting"),
  );
  const waiting = await executed(waitingQuery, {});
  const byLanguage: Record<string, number> = Object.fromEntries(LANGUAGES.map((l) => [l, 0]));
  for (const w of waiting) byLanguage[w.language] = (byLanguage[w.language] ?? 0) + 1;
  const oldest = Math.min(now, ...waiting.map((w) => w.enqueuedAt));

  const agents: Record<string, number> = Object.fromEntries(AGENT_STATUSES.map((s) => [s, 0]));
  const agentsQuery = prepared(db, "liveAgents", () =>
    db.select({ status: users.status, n: countAll() }).from(users).where(eq(users.role, "agent")).groupBy(users.status).prepare("liveAgents"),
  );
  for (const row of await executed(agentsQuery, {})) {
    agents[row.status] = row.n;
  }

  // Sums and averages come back as text from PostgreSQL (bigint, numeric): each is mapped to a number.
  const todayQuery = prepared(db, "liveToday", () =>
    db
      .select({
        offered: countAll(),
        answered: sql<number>`sum(case when ${calls.connectedAt} is not null then 1 else 0 end)`.mapWith(Number),
        abandoned: sql<number>`sum(case when ${calls.outcome} like 'abandoned%' then 1 else 0 end)`.mapWith(Number),
        overflow: sql<number>`sum(case when ${calls.outcome} = 'overflow' then 1 else 0 end)`.mapWith(Number),
        inTime: sql<number>`sum(case when ${calls.connectedAt} - ${calls.queuedAt} <= ${sql.placeholder("threshold")} then 1 else 0 end)`.mapWith(Number),
        speed: sql<number | null>`avg(case when ${calls.connectedAt} is not null then ${calls.connectedAt} - ${calls.queuedAt} end)`.mapWith(nullableNumber),
      })
      .from(calls)
      .where(and(eq(calls.direction, "inbound"), gte(calls.createdAt, sql.placeholder("since"))))
      .prepare("liveToday"),
  );
  const today = first(await executed(todayQuery, { threshold: serviceLevelSeconds * 1000, since: startOf(zone, now, "day") }));
  const answered = today?.answered ?? 0;
  const abandoned = today?.abandoned ?? 0;
  return {
    lines: { capacity: await capacity(db), inUse: await linesInUse(db) },
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
export type LiveFigures = Awaited<ReturnType<typeof liveFigures>>;
