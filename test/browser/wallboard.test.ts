import type { Browser, Page, WebSocketRoute } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, openPage, screenshot, signIn } from "../support/browser.js";
import { startCallCenter, type CallCenter } from "../support/call-center.js";
import { TEST_ADMIN_TOKEN } from "../support/hotline-fixture.js";

let cc: CallCenter;
let browser: Browser;
beforeAll(async () => {
  [cc, browser] = await Promise.all([startCallCenter({ LINES: "10" }), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await cc?.stopAll();
});

/** Waits until the page shows a figure with this value; figures carry their raw value in data-value. */
const shows = (page: Page, figure: string, value: number | string) => page.locator(`[data-figure="${figure}"][data-value="${value}"]`).first().waitFor();

describe("the wallboard", { timeout: 60_000 }, () => {
  it("refuses a wrong token, one too long to be a token (without sending it), and an agent's token", async () => {
    const agent = await cc.addAgent("Dara", ["km"], { available: false });
    const { page, problems } = await openPage(browser, `${cc.baseUrl}/wallboard`);
    await signIn(page, "not-a-token-at-all");
    await page.locator("#sign-in-error", { hasText: "That token was not accepted" }).waitFor();
    const notSent = page.waitForEvent("console", (m) => m.type() === "warning" && m.text().startsWith("not sent: a malformed auth message"));
    await signIn(page, "x".repeat(201));
    await notSent;
    await page.locator("#sign-in-error", { hasText: "That token was not accepted" }).waitFor();
    await signIn(page, agent.token);
    await page.locator("#sign-in-error", { hasText: "needs a supervisor token" }).waitFor();
    expect(await page.locator("#board").isHidden()).toBe(true);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it("shows callers waiting per language, then the abandoned count, as calls arrive, wait and hang up, pushed live", async () => {
    // Nobody speaks Burmese or Khmer: those callers wait. The English speaker shows under agents.
    await cc.addAgent("Lin", ["en"]);
    const { page, problems } = await openPage(browser, `${cc.baseUrl}/wallboard`);
    await signIn(page, TEST_ADMIN_TOKEN);
    await shows(page, "lines-capacity", 10);
    await shows(page, "waiting", 0);
    await shows(page, "agents-available", 1);
    await shows(page, "abandoned", 0);

    const burmese1 = await cc.callIn("+66820000101", ["2", "1"]);
    await shows(page, "waiting-my", 1);
    await shows(page, "lines-in-use", 1);
    await cc.clock.advance(30_000);
    await cc.callIn("+66820000102", ["2", "2"]);
    await cc.callIn("+66820000103", ["3", "9"]);
    await shows(page, "waiting-my", 2);
    await shows(page, "waiting-km", 1);
    await shows(page, "waiting", 3);
    await shows(page, "offered", 3);
    expect(await page.locator('[data-figure="waiting-th"]').getAttribute("data-value")).toBe("0");

    await cc.clock.advance(60_000);
    await burmese1.hangup();
    await cc.settle();
    await shows(page, "abandoned", 1);
    await shows(page, "waiting-my", 1);
    await shows(page, "waiting", 2);
    await shows(page, "lines-in-use", 2);
    await shows(page, "callbacks-open", 1);
    // The trend has one sample per push: the waiting line has risen and fallen.
    expect((await page.locator('polyline[data-series="waiting"]').getAttribute("points"))?.split(" ").length).toBeGreaterThan(6);

    await page.getByLabel("คู่สายทั้งหมด · Total lines").fill("12");
    await page.getByRole("button", { name: "เปลี่ยน · Change" }).click();
    await shows(page, "lines-capacity", 12);
    expect((await cc.api("GET", "/api/stats")).body.lines).toEqual({ capacity: 12, inUse: 2 });
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it("ignores a malformed or unknown push with a warning, and the board shows what it showed", async () => {
    const { page, problems } = await openPage(browser, `${cc.baseUrl}/wallboard`);
    const warnings: string[] = [];
    page.on("console", (m) => m.type() === "warning" && m.text().startsWith("ignored") && warnings.push(m.text()));
    // The real server behind, plus a way to slip the page a message the server would never send.
    let socket: WebSocketRoute | undefined;
    await page.routeWebSocket(/\/ws$/, (ws) => {
      ws.connectToServer();
      socket = ws;
    });
    await signIn(page, TEST_ADMIN_TOKEN);
    const { lines } = (await cc.api("GET", "/api/stats")).body;
    await shows(page, "lines-capacity", lines.capacity);

    const push = (text: string) => {
      if (!socket) throw new Error("the page opened no live connection");
      socket.send(text);
    };
    push(JSON.stringify({ type: "stats", stats: { lines: { capacity: 999, inUse: -1 } } }));
    push(JSON.stringify({ type: "lines.cut", lines: 0 }));
    push("{ not json");
    await expect.poll(() => warnings.length, { timeout: 5_000 }).toBe(3);
    expect(warnings.map((w) => w.split(" ").slice(0, 4).join(" "))).toEqual(["ignored a malformed stats", "ignored a malformed lines.cut", "ignored a server message"]);
    expect(await page.locator('[data-figure="lines-capacity"]').getAttribute("data-value")).toBe(String(lines.capacity));
    expect(await page.locator('[data-figure="lines-in-use"]').getAttribute("data-value")).toBe(String(lines.inUse));
    expect(await page.locator('#connection[data-state="open"]').count()).toBe(1);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it("shows open and overdue referrals as GET /api/stats counts them, overdue ones in the warning colour", async () => {
    const { page, problems } = await openPage(browser, `${cc.baseUrl}/wallboard`);
    await signIn(page, TEST_ADMIN_TOKEN);
    await shows(page, "referrals-open", 0);
    await shows(page, "referrals-overdue", 0);

    const office = await cc.api("POST", "/api/agencies", { body: { name: "สำนักงานพัฒนาสังคมฯ กรุงเทพมหานคร", type: "provincial_office", province: "10", endpoint: "+6621000102" } });
    expect(office.status).toBe(201);
    async function refer() {
      const opened = await cc.api("POST", "/api/cases", { body: { category: "other", channel: "walk_in" } });
      expect((await cc.api("POST", `/api/cases/${opened.body.id}/referrals`, { body: { agencyId: office.body.id } })).status).toBe(201);
    }
    await refer();
    await refer();
    // Agencies have 72 hours to act: these two are now overdue, and a third comes in. (The callers still
    // waiting from the test before hang up first, or three days of their hold music would play out.)
    for (const call of cc.carrier.liveCalls()) await call.hangup();
    await cc.settle();
    await cc.clock.advance(73 * 3_600_000);
    await cc.settle();
    await refer();
    await cc.settle();

    const { referrals } = (await cc.api("GET", "/api/stats")).body;
    expect(referrals).toEqual({ open: 3, overdue: 2 });
    await shows(page, "referrals-open", referrals.open);
    await shows(page, "referrals-overdue", referrals.overdue);
    const tile = page.locator("section", { has: page.locator('[data-figure="referrals-open"]') });
    expect((await tile.innerText()).replace(/\s+/g, " ")).toBe("ส่งต่อหน่วยงาน · Referrals 3 เปิดอยู่ · open เลยกำหนด · Overdue 2");
    const colour = (figure: string) => page.locator(`[data-figure="${figure}"]`).evaluate((n) => getComputedStyle(n).color);
    expect(await colour("referrals-overdue")).toBe("rgb(255, 200, 102)");
    await screenshot(page, "wallboard.png");
    expect(problems).toEqual([]);
    await page.context().close();
  });
  it("lists the agents on duty with their time in state and call, the most urgent callbacks with age and due time, and the trend from the server's history at once", async () => {
    const kanya = await cc.addAgent("Kanya", ["th"]);
    const call = await cc.callIn("+66820000301", ["1", "2"]);
    cc.carrier.endpoint(kanya.endpoint).answer();
    await cc.settle();
    await cc.clock.advance(95_000);
    const missed = await cc.callIn("+66820000302", ["2", "1"]);
    await cc.clock.advance(20_000);
    await missed.hangup();
    await cc.settle();
    await cc.clock.advance(60_000);
    const item = (await cc.api("GET", "/api/callbacks?digits=0302")).body.items[0];

    // A new tab: nothing in its storage, yet the trend shows the last 3 hours from the server.
    const { page, problems } = await openPage(browser, `${cc.baseUrl}/wallboard`);
    await signIn(page, TEST_ADMIN_TOKEN);
    const row = page.locator(`#on-duty tr[data-agent-id="${kanya.id}"]`);
    await row.waitFor();
    expect(await row.locator("td").allInnerTexts()).toEqual(["Kanya", "กำลังสนทนา · On a call", expect.stringMatching(/^2:5\d$/), "ไทย · Thai · การค้ามนุษย์ · Human trafficking"]);
    const urgent = page.locator(`#urgent tr[data-callback-id="${item.id}"]`);
    await urgent.waitFor();
    const cells = await urgent.locator("td").allInnerTexts();
    expect(cells.slice(0, 3)).toEqual(["+66******302", "พม่า · Burmese", "วางสายขณะรอ · Hung up while waiting"]);
    expect(cells[3]).toMatch(/^1:\d\d$/);
    expect(cells[4]).toMatch(/^อีก · in 1:5\d:\d\d$/);
    expect(await page.locator("#trend svg").getAttribute("aria-label")).toMatch(/^Last 180 min: 1 lines in use, 0 waiting now$/);
    expect((await page.locator('polyline[data-series="waiting"]').getAttribute("points"))?.split(" ").length).toBeGreaterThan(300);
    // The staffing line: Thai has Kanya on duty, and the forecast's target under it.
    const thai = page.locator('[data-staffing-language="th"]');
    await thai.waitFor();
    expect(await thai.innerText()).toMatch(/^ไทย · Thai: 1 ปฏิบัติงาน · on duty, \d+ ที่ต้องการ · needed · 80 % ใน · in 20 s$/);
    await screenshot(page, "wallboard-agents-backlog-trend.png");
    expect(problems).toEqual([]);
    await call.hangup();
    await cc.settle();
    await page.context().close();
  });
});
