import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, openPage, screenshot } from "../support/browser.js";
import { startHotline, type Running } from "../support/hotline-fixture.js";

let h: Running;
let browser: Browser;
beforeAll(async () => {
  [h, browser] = await Promise.all([startHotline(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await h?.stop();
});

describe("/docs in a browser", { timeout: 60_000 }, () => {
  it("Swagger UI runs from this server under the docs' policy and lists the API by area, Twilio's webhooks apart", async () => {
    const requested: string[] = [];
    const { page, problems } = await openPage(browser, `${h.baseUrl}/docs`);
    page.on("request", (r) => requested.push(r.url()));
    await page.locator(".opblock-tag", { hasText: "twilio webhooks" }).first().waitFor();
    await expect.poll(() => page.locator(".opblock").count()).toBeGreaterThan(40);
    await expect.poll(() => page.locator('a[href="/docs/ws.json"]').count()).toBe(1);
    await screenshot(page, "api-docs.png");
    expect(requested.filter((u) => !u.startsWith(h.baseUrl))).toEqual([]);
    expect(problems).toEqual([]);
  });
});
