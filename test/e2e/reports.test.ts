import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCallCenter, type CallCenter } from "../support/call-center.js";
import { seedReportHistory } from "../support/report-history.js";

/*
 * The reports over a history seeded straight into the database (test/support/report-history.ts): calls
 * rows and events with chosen seconds, so each figure below is computed by hand. The server's clock stays
 * at its start, 2026-11-25T03:00Z, after it all.
 */

let cc: CallCenter;
let agentA: string;
let agentB: string;
let agentToken: string;

beforeAll(async () => {
  cc = await startCallCenter();
  ({ agentA, agentB, agentToken } = await seedReportHistory(cc));
});

afterAll(async () => {
  await cc?.stopAll();
});

const hourly = (group = "language") => cc.api("GET", `/api/reports/intervals?from=${encodeURIComponent("2026-11-24T10:00:00+07:00")}&to=${encodeURIComponent("2026-11-24T12:00:00+07:00")}&by=hour&group=${group}`);

describe("GET /api/reports/intervals", () => {
  it("gives every figure of an hour and language, counted from the calls and their trail", async () => {
    const res = await hourly();
    expect(res.status).toBe(200);
    const row = res.body.intervals.find((r: any) => r.start === "2026-11-24T10:00:00+07:00" && r.group === "my");
    expect(row).toEqual({
      start: "2026-11-24T10:00:00+07:00",
      group: "my",
      offered: 6, // CA1–CA6
      answered: 2, // CA1, CA2
      answeredInThreshold: 1, // CA1 waited 15 s, CA2 60 s; the threshold is 20 s
      serviceLevel: 0.25, // 1 / (2 answered + 1 abandoned in the queue + 1 while ringing)
      abandoned: { ivr: 1, queue: 1, ringing: 1 }, // CA4, CA3, CA5
      overflow: 0,
      callbackRequests: 1, // CA6
      averageSpeedOfAnswerSeconds: 37.5, // (15 + 60) / 2
      averageHandleSeconds: 315, // CA1 300 talk + 60 wrap-up, CA2 240 + 30: (360 + 270) / 2
      longestWaitSeconds: 120, // CA6 waited 10:50:10–10:52:10
      callbacks: { created: 2, reached: 0, overdue: 1 }, // CA3's and CA5's items; CA5's fell due at 10:59
    });
    const thai = res.body.intervals.find((r: any) => r.start === "2026-11-24T10:00:00+07:00" && r.group === "th");
    expect(thai).toMatchObject({ offered: 1, answered: 1, answeredInThreshold: 1, serviceLevel: 1, averageSpeedOfAnswerSeconds: 10, averageHandleSeconds: 180 });
    const none = res.body.intervals.find((r: any) => r.start === "2026-11-24T10:00:00+07:00" && r.group === null);
    expect(none).toMatchObject({ offered: 2, overflow: 1, abandoned: { ivr: 1, queue: 0, ringing: 0 }, answered: 0, serviceLevel: null, averageSpeedOfAnswerSeconds: null });
  });

  it("lists every hour for every group seen, with a callback item reached in a later hour counted there", async () => {
    const res = await hourly();
    expect(res.body.intervals.map((r: any) => `${r.start.slice(11, 16)} ${r.group}`)).toEqual(["10:00 my", "10:00 th", "10:00 null", "11:00 my", "11:00 th", "11:00 null"]);
    const later = res.body.intervals.find((r: any) => r.start === "2026-11-24T11:00:00+07:00" && r.group === "my");
    expect(later).toMatchObject({ offered: 0, answered: 0, callbacks: { created: 0, reached: 1, overdue: 0 } });
  });

  it("groups by topic", async () => {
    const res = await hourly("topic");
    const ten = res.body.intervals.filter((r: any) => r.start === "2026-11-24T10:00:00+07:00");
    expect(Object.fromEntries(ten.map((r: any) => [r.group, r.offered]))).toEqual({ other: 1, trafficking: 2, violence: 3, null: 3 });
  });

  it("cuts days at midnight in the hotline's time zone: 23:30 UTC is the next Bangkok day", async () => {
    const res = await cc.api("GET", `/api/reports/intervals?from=${encodeURIComponent("2026-11-24T00:00:00+07:00")}&to=${encodeURIComponent("2026-11-26T00:00:00+07:00")}&by=day`);
    expect(res.status).toBe(200);
    const thai = res.body.intervals.filter((r: any) => r.group === "th").map((r: any) => [r.start, r.offered]);
    // The 24th: CA9 and CA10 (16:30 UTC = 23:30 local); the 25th: CA11 (23:30 UTC on the 24th).
    expect(thai).toEqual([["2026-11-24T00:00:00+07:00", 2], ["2026-11-25T00:00:00+07:00", 1]]);
  });

  it("is for supervisors: no token 401, an agent's 403", async () => {
    const anonymous = await fetch(`${cc.baseUrl}/api/reports/intervals?from=2026-11-24T00:00:00Z&to=2026-11-25T00:00:00Z`);
    expect(anonymous.status).toBe(401);
    expect((await cc.api("GET", "/api/reports/intervals?from=2026-11-24T00:00:00Z&to=2026-11-25T00:00:00Z", { token: agentToken })).status).toBe(403);
    expect((await cc.api("GET", "/api/reports/agents?from=2026-11-24T00:00:00Z&to=2026-11-25T00:00:00Z", { token: agentToken })).status).toBe(403);
    expect((await cc.api("GET", "/api/reports/staffing", { token: agentToken })).status).toBe(403);
  });

  it("answers a bad period with a 400 that says why", async () => {
    const cases: Array<[string, RegExp]> = [
      ["to=2026-11-25T00:00:00Z", /from/],
      ["from=2026-11-25T00:00:00Z&to=2026-11-24T00:00:00Z", /to must be after from/],
      ["from=2026-11-24T00:00:00&to=2026-11-25T00:00:00Z", /from/],
      ["from=2026-01-01T00:00:00Z&to=2026-06-01T00:00:00Z&by=hour", /at most 92 days/],
      ["from=2020-01-01T00:00:00Z&to=2026-06-01T00:00:00Z&by=day", /at most 1098 days/],
      ["from=2026-11-24T00:00:00Z&to=2026-11-25T00:00:00Z&by=week", /by/],
      ["from=2026-11-24T00:00:00Z&to=2026-11-25T00:00:00Z&group=agent", /group/],
    ];
    for (const [query, message] of cases) {
      const res = await cc.api("GET", `/api/reports/intervals?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error).toBe("bad_request");
      expect(res.body.message, query).toMatch(message);
    }
    expect((await cc.api("GET", "/api/reports/agents?from=2026-11-24T00:00:00Z")).status).toBe(400);
    expect((await cc.api("GET", "/api/reports/staffing?hours=25")).status).toBe(400);
  });
});

describe("GET /api/reports/agents", () => {
  it("gives each agent's calls and time in the period, from their status changes", async () => {
    const res = await cc.api("GET", `/api/reports/agents?from=${encodeURIComponent("2026-11-24T10:00:00+07:00")}&to=${encodeURIComponent("2026-11-24T11:00:00+07:00")}`);
    expect(res.status).toBe(200);
    const a = res.body.agents.find((x: any) => x.id === agentA);
    expect(a).toEqual({
      id: agentA,
      name: "Aung",
      languages: ["my", "th"],
      callsAnswered: 2,
      callbacksReached: 0,
      offersMissed: 0,
      talkSeconds: 540, // 300 + 240
      wrapUpSeconds: 90, // 60 + 30
      ringingSeconds: 20, // 10 + 10
      availableSeconds: 2050, // 35 + 285 + 830 + 900: the 3,600 s less the above and the break
      breakSeconds: 900, // 10:30–10:45
      occupancy: 0.233, // (540 + 90) / (540 + 90 + 20 + 2050)
    });
    const b = res.body.agents.find((x: any) => x.id === agentB);
    expect(b).toMatchObject({ callsAnswered: 1, offersMissed: 1, talkSeconds: 120, wrapUpSeconds: 60, ringingSeconds: 8, availableSeconds: 3412, breakSeconds: 0 });
  });
});

describe("GET /api/reports/staffing", () => {
  it("gives per language the agents on duty and needed now and in the next hours, with its method and inputs", async () => {
    const res = await cc.api("GET", "/api/reports/staffing?hours=2");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ target: 0.8, thresholdSeconds: 20, timeZone: "Asia/Bangkok" });
    expect(res.body.languages.map((l: any) => l.language)).toEqual(["th", "my", "km", "lo", "vi", "zh", "mfa", "en"]);
    const burmese = res.body.languages.find((l: any) => l.language === "my");
    // A is available (signed in) and speaks Burmese and Thai; B Thai only.
    expect(burmese.onDuty).toBe(1);
    expect(res.body.languages.find((l: any) => l.language === "th").onDuty).toBe(2);
    // Two abandonments are too few to know callers' patience: Erlang C, with the handle time of CA1 and CA2.
    expect(burmese.method).toBe("erlang_c");
    expect(burmese.inputs).toMatchObject({ averageHandleSeconds: 315, handleFrom: "history", answeredCalls: 2, patienceSeconds: null, abandonments: 2 });
    // Now is 10:00 local on the 25th: one day of history, so the same hour yesterday: 6 Burmese callers, 5 of them queued.
    expect(burmese.hours.map((h: any) => h.start)).toEqual(["2026-11-25T10:00:00+07:00", "2026-11-25T11:00:00+07:00", "2026-11-25T12:00:00+07:00"]);
    expect(burmese.hours[0]).toMatchObject({ arrivalsPerHour: 5, basis: "same_hour", samples: 1 });
    expect(burmese.hours[1]).toMatchObject({ arrivalsPerHour: 0, needed: 0 });
    expect(burmese.neededNow).toBe(burmese.hours[0].needed);
    expect(burmese.neededNow).toBeGreaterThanOrEqual(1);
  });
});
