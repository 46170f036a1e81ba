import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { agentReport, intervalReport } from "../../reports/reports.js";
import { agentsCsv, intervalsCsv } from "../../reports/report-csv.js";
import { rangeProblem } from "../../reports/report-range.js";
import { localIso } from "../../reports/time-buckets.js";
import { staffingForecast } from "../../staffing/staffing-forecast.js";
import type { Services } from "../../services.js";
import { requireRole } from "../auth.js";
import { badRequest } from "../errors.js";

// A timestamp with its offset (or Z): a bare date or local time would be read in the server's zone, not the hotline's.
const instant = z.iso.datetime({ offset: true }).transform((v) => Date.parse(v));
const period = z.object({ from: instant, to: instant });
const intervalQuery = period.extend({ by: z.enum(["hour", "day"]).default("hour"), group: z.enum(["language", "topic"]).default("language") });
const staffingQuery = z.object({ hours: z.coerce.number().int().min(0).max(24).default(4) });

function checkedPeriod<T extends { from: number; to: number }>(q: T, by: "hour" | "day"): T {
  const problem = rangeProblem(q.from, q.to, by);
  if (problem) throw badRequest(problem);
  return q;
}

export function reportRoutes(base: FastifyInstance, s: Services): void {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const roles = { onRequest: requireRole(s, "supervisor") };
  const c = s.config;

  app.get("/api/reports/intervals", { ...roles, schema: { querystring: intervalQuery } }, async (request) => {
    const q = checkedPeriod(request.query, request.query.by);
    const intervals = await intervalReport(s.ctx.db, { ...q, timeZone: c.TIMEZONE, thresholdSeconds: c.SERVICE_LEVEL_SECONDS, now: s.ctx.clock.now() });
    return { timeZone: c.TIMEZONE, thresholdSeconds: c.SERVICE_LEVEL_SECONDS, intervals };
  });

  app.get("/api/reports/agents", { ...roles, schema: { querystring: period } }, async (request) => {
    // One figure per agent for the whole period: the day report's cap applies.
    const q = checkedPeriod(request.query, "day");
    return { agents: await agentReport(s.ctx.db, { ...q, now: s.ctx.clock.now() }) };
  });

  // The same figures as CSV, for a spreadsheet; they hold no caller's data, so nothing is audited.
  const csvName = (kind: string, from: number, to: number) => `${kind}-${localIso(c.TIMEZONE, from).slice(0, 10)}-${localIso(c.TIMEZONE, to - 1).slice(0, 10)}.csv`;

  app.get("/api/reports/intervals.csv", { ...roles, schema: { querystring: intervalQuery } }, async (request, reply) => {
    const q = checkedPeriod(request.query, request.query.by);
    const rows = await intervalReport(s.ctx.db, { ...q, timeZone: c.TIMEZONE, thresholdSeconds: c.SERVICE_LEVEL_SECONDS, now: s.ctx.clock.now() });
    reply.type("text/csv; charset=utf-8").header("content-disposition", `attachment; filename="${csvName(`intervals-by-${q.by}-${q.group}`, q.from, q.to)}"`);
    return intervalsCsv(rows);
  });

  app.get("/api/reports/agents.csv", { ...roles, schema: { querystring: period } }, async (request, reply) => {
    const q = checkedPeriod(request.query, "day");
    reply.type("text/csv; charset=utf-8").header("content-disposition", `attachment; filename="${csvName("agents", q.from, q.to)}"`);
    return agentsCsv(await agentReport(s.ctx.db, { ...q, now: s.ctx.clock.now() }));
  });

  app.get("/api/reports/staffing", { ...roles, schema: { querystring: staffingQuery } }, async (request) =>
    await staffingForecast(s.ctx.db, {
      timeZone: c.TIMEZONE,
      target: c.SERVICE_LEVEL_TARGET,
      thresholdSeconds: c.SERVICE_LEVEL_SECONDS,
      historyWeeks: c.STAFFING_HISTORY_WEEKS,
      defaultHandleSeconds: c.AVERAGE_HANDLE_SECONDS,
      hoursAhead: request.query.hours,
      now: s.ctx.clock.now(),
    }),
  );
}
