import type { Db } from "../../db/storage.js";
import { LANGUAGES } from "../languages.js";
import { agentsOf, firstCallAt, inboundCalls, statusChanges } from "../reports/report-store.js";
import { handleTimes, statusSegments } from "../reports/status-segments.js";
import { localIso, nextStart, startOf } from "../reports/time-buckets.js";
import { estimatePatience, forecastArrivals } from "./demand-forecast.js";
import { agentsNeeded, erlangAFigures, erlangCFigures, type QueueInputs } from "./erlang.js";

/*
 * GET /api/reports/staffing: per language, the agents needed this hour and the next ones to answer
 * `target` of callers within the threshold. Each language is planned as its own queue (a call goes only to
 * an agent who speaks it); an agent who speaks two counts as on duty in both, so needs are not to be summed.
 */

export interface StaffingSettings {
  timeZone: string;
  target: number;
  thresholdSeconds: number;
  historyWeeks: number;
  /** Used when a language has no answered call in the history. */
  defaultHandleSeconds: number;
  hoursAhead: number;
  now: number;
}

const WEEK = 7 * 86_400_000;
const round = (n: number, digits: number) => Number(n.toFixed(digits));

export async function staffingForecast(db: Db, s: StaffingSettings) {
  const since = s.now - s.historyWeeks * WEEK;
  const [inbound, changes, firstCall, agents] = await Promise.all([inboundCalls(db, since, s.now), statusChanges(db, since, s.now), firstCallAt(db), agentsOf(db)]);
  const history = inbound.filter((c) => c.queuedAt !== null);
  const handles = handleTimes(statusSegments(changes, s.now));
  const historyStart = Math.max(since, firstCall ?? s.now);
  const hourStarts = [startOf(s.timeZone, s.now, "hour")];
  while (hourStarts.length <= s.hoursAhead) hourStarts.push(nextStart(s.timeZone, hourStarts.at(-1)!, "hour"));

  const languages = LANGUAGES.map((language) => {
    const calls = history.filter((c) => c.language === language);
    const arrivals = calls.map((c) => c.queuedAt!).sort((a, b) => a - b);
    const answered = calls.flatMap((c) => {
      const h = c.outcome === "answered" ? handles.get(c.sid) : undefined;
      return h ? [h.talkSeconds + h.wrapUpSeconds] : [];
    });
    const handleSeconds = answered.length > 0 ? answered.reduce((a, b) => a + b, 0) / answered.length : s.defaultHandleSeconds;
    const { patienceSeconds, abandonments } = estimatePatience(calls);
    const onDuty = agents.filter((a) => a.status !== "offline" && a.languages.includes(language)).length;
    const queueAt = (arrivalsPerHour: number): QueueInputs => ({ arrivalRate: arrivalsPerHour / 3600, handleSeconds, thresholdSeconds: s.thresholdSeconds });
    const hours = hourStarts.map((start) => {
      const forecast = forecastArrivals(arrivals, historyStart, s.now, start, s.timeZone, s.historyWeeks);
      const need = agentsNeeded(queueAt(forecast.arrivalsPerHour), s.target, patienceSeconds);
      return { start: localIso(s.timeZone, start), arrivalsPerHour: round(forecast.arrivalsPerHour, 2), basis: forecast.basis, samples: forecast.samples, needed: need.agents, expectedServiceLevel: round(need.serviceLevel, 3) };
    });
    const current = hours[0]!;
    const withOnDuty = patienceSeconds
      ? erlangAFigures(onDuty, queueAt(current.arrivalsPerHour), patienceSeconds)
      : erlangCFigures(onDuty, queueAt(current.arrivalsPerHour));
    return {
      language,
      onDuty,
      neededNow: current.needed,
      // What the agents on duty now can be expected to reach this hour.
      serviceLevelWithOnDuty: current.arrivalsPerHour > 0 ? round(withOnDuty.serviceLevel, 3) : 1,
      method: patienceSeconds ? ("erlang_a" as const) : ("erlang_c" as const),
      inputs: {
        arrivalsPerHour: current.arrivalsPerHour,
        averageHandleSeconds: round(handleSeconds, 1),
        handleFrom: answered.length > 0 ? ("history" as const) : ("setting" as const),
        answeredCalls: answered.length,
        patienceSeconds: patienceSeconds ? round(patienceSeconds, 1) : null,
        abandonments,
      },
      hours,
    };
  });
  return { target: s.target, thresholdSeconds: s.thresholdSeconds, timeZone: s.timeZone, historyWeeks: s.historyWeeks, languages };
}
