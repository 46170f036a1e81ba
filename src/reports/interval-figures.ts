import { bucketOf } from "./time-buckets.js";

/*
 * GET /api/reports/intervals as a pure function of the stored facts. A call counts in the interval it
 * arrived in, whatever happened later (as today's figures do); a callback item in the interval it was
 * created, reached, or fell due in. Definitions: README "Reports".
 */

export type GroupBy = "language" | "topic";

export interface CallFact {
  sid: string;
  createdAt: number;
  queuedAt: number | null;
  connectedAt: number | null;
  endedAt: number | null;
  outcome: string | null;
  language: string | null;
  topic: string | null;
}

export interface CallbackFact {
  at: number;
  language: string | null;
  topic: string | null;
}

export interface IntervalInputs {
  starts: readonly number[];
  groupBy: GroupBy;
  calls: readonly CallFact[];
  /** Talk + wrap-up per answered call, seconds. */
  handleSeconds: ReadonlyMap<string, number>;
  callbacks: { created: readonly CallbackFact[]; reached: readonly CallbackFact[]; overdue: readonly CallbackFact[] };
  thresholdSeconds: number;
}

export interface IntervalRow {
  start: number;
  group: string | null;
  offered: number;
  answered: number;
  answeredInThreshold: number;
  serviceLevel: number | null;
  abandoned: { ivr: number; queue: number; ringing: number };
  overflow: number;
  callbackRequests: number;
  averageSpeedOfAnswerSeconds: number | null;
  averageHandleSeconds: number | null;
  longestWaitSeconds: number;
  callbacks: { created: number; reached: number; overdue: number };
}

interface Tally {
  offered: number;
  answered: number;
  inThreshold: number;
  abandoned: { ivr: number; queue: number; ringing: number };
  overflow: number;
  callbackRequests: number;
  waitToAnswer: number;
  handle: number;
  handled: number;
  longestWait: number;
  callbacks: { created: number; reached: number; overdue: number };
}

const emptyTally = (): Tally => ({
  offered: 0,
  answered: 0,
  inThreshold: 0,
  abandoned: { ivr: 0, queue: 0, ringing: 0 },
  overflow: 0,
  callbackRequests: 0,
  waitToAnswer: 0,
  handle: 0,
  handled: 0,
  longestWait: 0,
  callbacks: { created: 0, reached: 0, overdue: 0 },
});

const ABANDONED: Record<string, keyof Tally["abandoned"]> = { abandoned_ivr: "ivr", abandoned_queue: "queue", abandoned_ringing: "ringing" };
const round1 = (n: number) => Math.round(n * 10) / 10;

/** Seconds a caller waited for an agent: from joining the queue until they met one, or left. */
export function waitSeconds(call: CallFact): number | null {
  if (call.queuedAt === null) return null;
  const until = call.connectedAt ?? call.endedAt;
  return until === null ? null : Math.max(0, (until - call.queuedAt) / 1000);
}

export function intervalFigures(input: IntervalInputs): IntervalRow[] {
  const tallies = new Map<string, { index: number; group: string | null; tally: Tally }>();
  const groups = new Set<string | null>();
  const tallyFor = (at: number, group: string | null): Tally | undefined => {
    const index = bucketOf(input.starts, at);
    if (index < 0) return undefined;
    groups.add(group);
    const key = `${index}\u0000${group}`;
    let entry = tallies.get(key);
    if (!entry) tallies.set(key, (entry = { index, group, tally: emptyTally() }));
    return entry.tally;
  };
  const groupOf = (f: { language: string | null; topic: string | null }) => f[input.groupBy];

  for (const call of input.calls) {
    const t = tallyFor(call.createdAt, groupOf(call));
    if (!t) continue;
    t.offered += 1;
    const stage = call.outcome ? ABANDONED[call.outcome] : undefined;
    if (stage) t.abandoned[stage] += 1;
    if (call.outcome === "overflow") t.overflow += 1;
    if (call.outcome === "callback_requested") t.callbackRequests += 1;
    const wait = waitSeconds(call);
    if (wait !== null) t.longestWait = Math.max(t.longestWait, wait);
    if (call.outcome === "answered" && wait !== null) {
      t.answered += 1;
      t.waitToAnswer += wait;
      if (wait <= input.thresholdSeconds) t.inThreshold += 1;
      const handle = input.handleSeconds.get(call.sid);
      if (handle !== undefined) {
        t.handle += handle;
        t.handled += 1;
      }
    }
  }
  for (const kind of ["created", "reached", "overdue"] as const) {
    for (const item of input.callbacks[kind]) {
      const t = tallyFor(item.at, groupOf(item));
      if (t) t.callbacks[kind] += 1;
    }
  }

  // Every interval for every group seen in the range, so a chart's lines have no gaps.
  const sortedGroups = [...groups].sort((a, b) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b)));
  const rows: IntervalRow[] = [];
  input.starts.forEach((start, index) => {
    for (const group of sortedGroups) {
      const t = tallies.get(`${index}\u0000${group}`)?.tally ?? emptyTally();
      // Service level: answered in time over callers who reached the queue and were answered or gave up there.
      const served = t.answered + t.abandoned.queue + t.abandoned.ringing;
      rows.push({
        start,
        group,
        offered: t.offered,
        answered: t.answered,
        answeredInThreshold: t.inThreshold,
        serviceLevel: served > 0 ? Number((t.inThreshold / served).toFixed(3)) : null,
        abandoned: t.abandoned,
        overflow: t.overflow,
        callbackRequests: t.callbackRequests,
        averageSpeedOfAnswerSeconds: t.answered > 0 ? round1(t.waitToAnswer / t.answered) : null,
        averageHandleSeconds: t.handled > 0 ? round1(t.handle / t.handled) : null,
        longestWaitSeconds: round1(t.longestWait),
        callbacks: t.callbacks,
      });
    }
  });
  return rows;
}
