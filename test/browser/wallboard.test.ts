import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, openPage, screenshot } from "../support/browser.js";
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

async function signIn(page: Page, token: string) {
  await page.getByLabel("รหัสเข้าใช้งาน · Access token").fill(token);
  await page.getByRole("button", { name: "เข้าสู่ระบบ · Sign in" }).click();
}

describe("the wallboard", { timeout: 60_000 }, () => {
  it("refuses a wrong token and an agent's token", async () => {
    const agent = await cc.addAgent("Dara", ["km"], { available: false });
    const { page, problems } = await openPage(browser, `${cc.baseUrl}/wallboard`);
    await signIn(page, "not-a-token-at-all");
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
    await screenshot(page, "wallboard.png");
    expect(problems).toEqual([]);
  });
});
