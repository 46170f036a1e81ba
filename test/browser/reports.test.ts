import { readFileSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, openPage, screenshot } from "../support/browser.js";
import { startCallCenter, type CallCenter } from "../support/call-center.js";
import { TEST_ADMIN_TOKEN } from "../support/hotline-fixture.js";
import { seedReportHistory, type ReportHistory } from "../support/report-history.js";

// The reports page over the seeded history of test/support/report-history.ts (2026-11-24, Bangkok).

let cc: CallCenter;
let browser: Browser;
let history: ReportHistory;
beforeAll(async () => {
  [cc, browser] = await Promise.all([startCallCenter(), launchBrowser()]);
  history = await seedReportHistory(cc);
});
afterAll(async () => {
  await browser?.close();
  await cc?.stopAll();
});

/** The server's clock: 10:00 in Bangkok on the 25th, the day after the seeded history. */
const SERVER_NOW = Date.parse("2026-11-25T03:00:00Z");

async function openReports() {
  const opened = await openPage(browser, "about:blank");
  const { page } = opened;
  // The page's "today" is the server's; policy refusals are events, not always console errors.
  await page.clock.setFixedTime(SERVER_NOW);
  await page.addInitScript(() => {
    const seen: string[] = [];
    Object.assign(window, { __violations: seen });
    document.addEventListener("securitypolicyviolation", (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(`${cc.baseUrl}/reports`);
  return opened;
}

async function signIn(page: Page, token: string) {
  await page.getByLabel("รหัสเข้าใช้งาน · Access token").fill(token);
  await page.getByRole("button", { name: "เข้าสู่ระบบ · Sign in" }).click();
}

/** Waits until the page has shown the report of this query string. */
const loaded = (page: Page, query: string) => page.locator(`#reports[data-loaded="${query}"]`).waitFor();
const q = (from: string, to: string, rest = "") => `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}${rest}`;

/** What Chart.js drew on each canvas: its datasets' labels and data (the library's own record of the chart). */
async function drawn(page: Page): Promise<Record<string, { type: string; labels: string[]; datasets: Array<{ label: string; data: Array<number | null> }>; painted: boolean }>> {
  // A string, not a function: the test runner would rewrite a function's import() for Node.
  return page.evaluate(`(async () => {
    const { Chart } = await import("/web/vendor/chart.js");
    const out = {};
    for (const canvas of document.querySelectorAll("canvas")) {
      const chart = Chart.getChart(canvas);
      const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
      let painted = false;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) { painted = true; break; }
      out[canvas.id] = chart && { type: chart.config.type, labels: chart.data.labels, datasets: chart.data.datasets.map((d) => ({ label: d.label, data: d.data })), painted };
    }
    return out;
  })()`);
}

describe("the reports page", { timeout: 90_000 }, () => {
  it("refuses an agent's token in Thai and English", async () => {
    const { page, problems } = await openReports();
    await signIn(page, history.agentToken);
    const error = page.locator("#sign-in-error", { hasText: "Reports need a supervisor or admin token" });
    await error.waitFor();
    expect(await error.innerText()).toContain("รายงานสำหรับหัวหน้างานและผู้ดูแล");
    expect(await page.locator("#reports").isHidden()).toBe(true);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it("charts a chosen day by hour, its table and the agents' equal the API's, and both CSV files download", async () => {
    const { page, problems } = await openReports();
    await signIn(page, TEST_ADMIN_TOKEN);
    // Today, in the hotline's zone, by hour at first.
    await loaded(page, q("2026-11-24T17:00:00.000Z", "2026-11-25T17:00:00.000Z", "&by=hour&group=language"));
    expect(await page.locator("#from").inputValue()).toBe("2026-11-25");

    await page.getByLabel("ช่วง · Period").selectOption("custom");
    await page.getByLabel("ตั้งแต่วันที่ · From").fill("2026-11-24");
    await page.getByLabel("ถึงวันที่ · To (รวมวันนั้น · inclusive)").fill("2026-11-24");
    await page.getByRole("button", { name: "แสดง · Show" }).click();
    const period = q("2026-11-23T17:00:00.000Z", "2026-11-24T17:00:00.000Z");
    await loaded(page, `${period}&by=hour&group=language`);

    const api = (await cc.api("GET", `/api/reports/intervals?${period}&by=hour&group=language`)).body.intervals as any[];
    const sum = (f: (r: any) => number) => api.reduce((n, r) => n + f(r), 0);
    const offered = sum((r) => r.offered);
    const answered = sum((r) => r.answered);
    const abandoned = { ivr: sum((r) => r.abandoned.ivr), queue: sum((r) => r.abandoned.queue), ringing: sum((r) => r.abandoned.ringing) };
    // The seed, by hand: CA1–CA10 arrived on the 24th; CA1, CA2, CA9 answered; CA4, CA8, CA10 left in the menus, CA3 queued, CA5 ringing.
    expect([offered, answered, abandoned]).toEqual([10, 3, { ivr: 3, queue: 1, ringing: 1 }]);

    const charts = await drawn(page);
    expect(Object.keys(charts).sort()).toEqual(["chart-abandon", "chart-service", "chart-volume"]);
    for (const chart of Object.values(charts)) {
      expect(chart.painted).toBe(true);
      expect(chart.labels).toHaveLength(24);
    }
    const volume = charts["chart-volume"]!;
    expect(volume.type).toBe("bar");
    const total = (data: Array<number | null>) => data.reduce<number>((n, v) => n + (v ?? 0), 0);
    expect(volume.datasets.map((d) => total(d.data))).toEqual([offered, answered, abandoned.ivr + abandoned.queue + abandoned.ringing]);
    expect(volume.labels[10]).toBe("10:00");
    expect(charts["chart-abandon"]!.datasets.map((d) => total(d.data))).toEqual([abandoned.ivr, abandoned.queue, abandoned.ringing]);
    // 10:00: 2 of 5 callers who reached the queue answered in time (CA1 my, CA9 th); ASA (15 + 60 + 10) / 3.
    const service = charts["chart-service"]!;
    expect(service.type).toBe("line");
    expect(service.datasets[0]!.data[10]).toBe(40);
    expect(service.datasets[1]!.data[10]).toBe(28.3);
    expect(await page.locator("#chart-volume").getAttribute("aria-label")).toContain("Offered 10, answered 3, abandoned 5");
    expect(await page.locator("#chart-abandon").getAttribute("aria-label")).toContain("in the IVR 3, in the queue 1, while ringing 1");
    expect(await page.locator("#chart-service").getAttribute("aria-label")).toContain("Service level 40.0 %, average speed of answer 28.3 s");
    expect(await page.locator('[data-total="offered"]').getAttribute("data-value")).toBe("10");

    // Every figure of every interval and group, as the API gives it.
    expect(await page.locator("#intervals tr").count()).toBe(api.length);
    const shown = await page.locator("#intervals tr").evaluateAll((rows) =>
      rows.map((tr) => ({ start: (tr as HTMLElement).dataset.start, group: (tr as HTMLElement).dataset.group, ...Object.fromEntries([...tr.querySelectorAll("td[data-key]")].map((td) => [(td as HTMLElement).dataset.key, (td as HTMLElement).dataset.value])) })),
    );
    const asText = (v: unknown) => (v === null ? "" : String(v));
    expect(shown).toEqual(
      api.map((r) => ({
        start: r.start,
        group: asText(r.group),
        offered: asText(r.offered),
        answered: asText(r.answered),
        answeredInThreshold: asText(r.answeredInThreshold),
        serviceLevel: asText(r.serviceLevel),
        abandonedIvr: asText(r.abandoned.ivr),
        abandonedQueue: asText(r.abandoned.queue),
        abandonedRinging: asText(r.abandoned.ringing),
        overflow: asText(r.overflow),
        callbackRequests: asText(r.callbackRequests),
        averageSpeedOfAnswerSeconds: asText(r.averageSpeedOfAnswerSeconds),
        averageHandleSeconds: asText(r.averageHandleSeconds),
        longestWaitSeconds: asText(r.longestWaitSeconds),
      })),
    );
    // Intervals with no calls and no callback activity are hidden until asked for.
    const active = api.filter((r) => r.offered > 0 || r.callbacks.created + r.callbacks.reached + r.callbacks.overdue > 0);
    expect(await page.locator("#intervals tr:visible").count()).toBe(active.length);
    await page.getByLabel("แสดงช่วงที่ไม่มีสาย · Show intervals with no calls").check();
    expect(await page.locator("#intervals tr:visible").count()).toBe(api.length);
    await page.getByLabel("แสดงช่วงที่ไม่มีสาย · Show intervals with no calls").uncheck();
    const burmese = page.locator('#intervals tr[data-start="2026-11-24T10:00:00+07:00"][data-group="my"]');
    expect(await burmese.innerText()).toContain("พม่า · Burmese");
    expect(await burmese.locator('[data-key="serviceLevel"]').innerText()).toBe("25.0 %");

    const agents = (await cc.api("GET", `/api/reports/agents?${period}`)).body.agents as any[];
    for (const a of agents) {
      const row = page.locator(`#agents tr[data-agent="${a.id}"]`);
      for (const key of ["callsAnswered", "offersMissed", "talkSeconds", "wrapUpSeconds", "breakSeconds", "availableSeconds", "occupancy"]) {
        expect(await row.locator(`[data-key="${key}"]`).getAttribute("data-value"), `${a.name} ${key}`).toBe(asText(a[key]));
      }
    }
    expect(await page.locator(`#agents tr[data-agent="${history.agentA}"] td`).first().innerText()).toBe("Aung");

    // The CSV files, as the server writes them for the period shown.
    for (const [button, path, name] of [
      ["#intervals-export", `/api/reports/intervals.csv?${period}&by=hour&group=language`, "intervals-by-hour-language-2026-11-24-2026-11-24.csv"],
      ["#agents-export", `/api/reports/agents.csv?${period}`, "agents-2026-11-24-2026-11-24.csv"],
    ] as const) {
      const [file] = await Promise.all([page.waitForEvent("download"), page.locator(button).click()]);
      expect(file.suggestedFilename()).toBe(name);
      const expected = await (await fetch(`${cc.baseUrl}${path}`, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } })).text();
      expect(readFileSync((await file.path())!, "utf8")).toBe(expected);
    }

    await screenshot(page, "reports.png");
    expect(await page.evaluate("window.__violations")).toEqual([]);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it("picks the last 7 days of the hotline's calendar by day, and regroups by topic", async () => {
    const { page, problems } = await openReports();
    await signIn(page, TEST_ADMIN_TOKEN);
    await page.locator("#reports[data-loaded]").waitFor();
    await page.getByLabel("ช่วง · Period").selectOption("7d");
    expect([await page.locator("#from").inputValue(), await page.locator("#to").inputValue(), await page.locator("#by").inputValue()]).toEqual(["2026-11-19", "2026-11-25", "day"]);
    expect(await page.locator("#from").isDisabled()).toBe(true);
    await page.getByLabel("จัดกลุ่มตาม · Group by").selectOption("topic");
    await page.getByRole("button", { name: "แสดง · Show" }).click();
    await loaded(page, q("2026-11-18T17:00:00.000Z", "2026-11-25T17:00:00.000Z", "&by=day&group=topic"));
    const charts = await drawn(page);
    expect(charts["chart-volume"]!.labels).toEqual(["19/11", "20/11", "21/11", "22/11", "23/11", "24/11", "25/11"]);
    // All 11 calls: ten on the 24th, CA11 at 06:30 on the 25th.
    expect(charts["chart-volume"]!.datasets[0]!.data).toEqual([0, 0, 0, 0, 0, 10, 1]);
    expect(await page.locator('#intervals tr[data-group="violence"]').count()).toBe(7);

    // A period the page or the server cannot report is said in both languages; the report shown stays.
    await page.getByLabel("ช่วง · Period").selectOption("custom");
    await page.getByLabel("ตั้งแต่วันที่ · From").fill("2026-11-25");
    await page.getByLabel("ถึงวันที่ · To (รวมวันนั้น · inclusive)").fill("2026-11-24");
    await page.getByRole("button", { name: "แสดง · Show" }).click();
    await page.locator("#report-notice", { hasText: "วันที่สิ้นสุดต้องไม่ก่อนวันที่เริ่ม · The last day cannot be before the first" }).waitFor();
    await page.getByLabel("ตั้งแต่วันที่ · From").fill("2026-01-01");
    await page.getByLabel("แบ่งตาม · By").selectOption("hour");
    await page.getByRole("button", { name: "แสดง · Show" }).click();
    const refused = page.locator('#report-notice[data-tone="error"]', { hasText: "at most 92 days" });
    await refused.waitFor();
    expect(await refused.innerText()).toContain("ข้อมูลที่ส่งไม่ถูกต้อง · Something in the request was not valid");
    expect(await page.locator("#intervals tr").count()).toBeGreaterThan(0);
    // The browser logs the two refused requests (intervals and agents reports); nothing else went wrong.
    expect(problems.filter((p) => !/status of 400.*\/api\/reports\//.test(p))).toEqual([]);
    await page.context().close();
  });

  it("is linked from the wallboard's and the admin pages' headers", async () => {
    for (const path of ["/wallboard", "/admin"]) {
      const { page } = await openPage(browser, `${cc.baseUrl}${path}`);
      await page.locator("header").getByRole("link", { name: "รายงาน · Reports" }).click();
      await page.waitForURL(`${cc.baseUrl}/reports`);
      await page.context().close();
    }
  });
});
