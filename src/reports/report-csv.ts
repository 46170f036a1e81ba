import { toCsv } from "../csv-cell.js";
import type { AgentFigures } from "./agent-figures.js";
import type { IntervalRow } from "./interval-figures.js";

/*
 * The two report exports as CSV: the same figures as the JSON reports, one flat column per figure (the
 * nested abandonment and callback counts spread out), written by the project's one CSV writer.
 */

type IntervalOut = Omit<IntervalRow, "start"> & { start: string };

const INTERVAL_COLUMNS: Array<[string, (r: IntervalOut) => unknown]> = [
  ["start", (r) => r.start],
  ["group", (r) => r.group],
  ["offered", (r) => r.offered],
  ["answered", (r) => r.answered],
  ["answeredInThreshold", (r) => r.answeredInThreshold],
  ["serviceLevel", (r) => r.serviceLevel],
  ["abandonedIvr", (r) => r.abandoned.ivr],
  ["abandonedQueue", (r) => r.abandoned.queue],
  ["abandonedRinging", (r) => r.abandoned.ringing],
  ["overflow", (r) => r.overflow],
  ["callbackRequests", (r) => r.callbackRequests],
  ["averageSpeedOfAnswerSeconds", (r) => r.averageSpeedOfAnswerSeconds],
  ["averageHandleSeconds", (r) => r.averageHandleSeconds],
  ["longestWaitSeconds", (r) => r.longestWaitSeconds],
  ["callbacksCreated", (r) => r.callbacks.created],
  ["callbacksReached", (r) => r.callbacks.reached],
  ["callbacksOverdue", (r) => r.callbacks.overdue],
];

const AGENT_COLUMNS: Array<[string, (a: AgentFigures) => unknown]> = [
  ["id", (a) => a.id],
  ["name", (a) => a.name],
  ["languages", (a) => a.languages.join(" ")],
  ["callsAnswered", (a) => a.callsAnswered],
  ["callbacksReached", (a) => a.callbacksReached],
  ["offersMissed", (a) => a.offersMissed],
  ["talkSeconds", (a) => a.talkSeconds],
  ["wrapUpSeconds", (a) => a.wrapUpSeconds],
  ["ringingSeconds", (a) => a.ringingSeconds],
  ["availableSeconds", (a) => a.availableSeconds],
  ["breakSeconds", (a) => a.breakSeconds],
  ["occupancy", (a) => a.occupancy],
];

const table = <T>(columns: Array<[string, (row: T) => unknown]>, rows: readonly T[]) =>
  toCsv(
    columns.map(([name]) => name),
    rows.map((row) => columns.map(([, value]) => value(row))),
  );

export const intervalsCsv = (rows: readonly IntervalOut[]) => table(INTERVAL_COLUMNS, rows);
export const agentsCsv = (rows: readonly AgentFigures[]) => table(AGENT_COLUMNS, rows);
