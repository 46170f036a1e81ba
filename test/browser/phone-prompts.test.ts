import { readdirSync, readFileSync } from "node:fs";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { launchBrowser, openPage, screenshot } from "../support/browser.js";
import { startCallCenter, type CallCenter } from "../support/call-center.js";

let cc: CallCenter;
let browser: Browser;
beforeAll(async () => {
  [cc, browser] = await Promise.all([startCallCenter(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await cc?.stopAll();
});

const burmese = parse(readFileSync("voice-flows/prompts/my.yaml", "utf8")) as { prompts: Record<string, { text: string }> };

describe("recorded prompts' text", { timeout: 60_000 }, () => {
  it("the server serves what each recording says beside the recordings, readable from the carrier's page", async () => {
    const res = await fetch(`${cc.baseUrl}/audio/my/prompts.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    const index = (await res.json()) as { language: string; recordings: Record<string, { prompt: string; text: string | null }> };
    expect(index.recordings["menu-trafficking.wav"]).toEqual({ prompt: "menu-trafficking", text: burmese.prompts["menu-trafficking"]!.text });
    expect((await fetch(`${cc.baseUrl}/audio/xx/prompts.json`)).status).toBe(400);
  });

  it("the test-call page shows a Burmese recording's text beside its file name", async () => {
    const { page, problems } = await openPage(browser, `${cc.config.TWILIO_API_BASE_URL}/`);
    const call = await cc.callIn("+66812226666", ["2"]);
    await page.locator(`[data-sid="${call.sid}"]`).click();
    const line = page.locator("#transcript li", { hasText: "menu-trafficking.wav" }).first();
    await expect.poll(() => line.locator(".said").textContent()).toContain(burmese.prompts["menu-trafficking"]!.text.slice(0, 20));
    await screenshot(page, "phone-burmese-prompt-text.png");
    await call.hangup();
    expect(problems).toEqual([]);
  });
});

describe("favicon", () => {
  it("every page links /favicon.svg, which the server and the carrier serve as SVG", async () => {
    for (const file of readdirSync("web").filter((f) => f.endsWith(".html"))) {
      expect(readFileSync(`web/${file}`, "utf8"), file).toContain('<link rel="icon" href="/favicon.svg" type="image/svg+xml">');
    }
    for (const origin of [cc.baseUrl, cc.config.TWILIO_API_BASE_URL]) {
      const res = await fetch(`${origin}/favicon.svg`);
      expect(res.status, origin).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^image\/svg\+xml/);
      expect(await res.text()).toMatch(/^<svg /);
    }
  });

  it("the browser loads it on the agent desktop under the page's policy", async () => {
    const { page, problems } = await openPage(browser, `${cc.baseUrl}/agent`);
    const icon = await page.evaluate(async () => {
      const link = document.querySelector<HTMLLinkElement>('link[rel="icon"]');
      return link ? (await fetch(link.href)).status : 0;
    });
    expect(icon).toBe(200);
    expect(problems).toEqual([]);
  });
});
