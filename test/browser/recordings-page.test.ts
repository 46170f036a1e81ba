import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toneWav } from "../../src/recordings/wav-audio.js";
import { launchBrowser, openPage, signIn } from "../support/browser.js";
import { startCallCenter, type CallCenter } from "../support/call-center.js";
import { TEST_ADMIN_TOKEN } from "../support/hotline-fixture.js";

let cc: CallCenter;
let browser: Browser;
beforeAll(async () => {
  [cc, browser] = await Promise.all([startCallCenter(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await cc?.stopAll();
});

describe("the recordings page and the wallboard's flag", { timeout: 60_000 }, () => {
  it("uploads a prompt as a draft, approves it, and shows the prompt as a human recording", async () => {
    const { page, problems } = await openPage(browser, `${cc.baseUrl}/recordings`);
    await signIn(page, TEST_ADMIN_TOKEN);
    await page.getByLabel("ข้อความ · Prompt").selectOption("menu-child-labour");
    await page.getByLabel("ภาษา · Language").selectOption("km");
    // Khmer has no Twilio voice: the page shows the text to read out.
    await page.locator("#prompt-text", { hasText: /\S/ }).waitFor();
    await page.locator("#prompt-state", { hasText: "fallback:th" }).waitFor();
    await page.getByLabel("ไฟล์เสียง · Audio file").setInputFiles({ name: "take.wav", mimeType: "audio/wav", buffer: toneWav(2) });
    await page.getByRole("button", { name: "อัปโหลด · Upload" }).click();
    await page.locator("#upload-status", { hasText: "Kept as draft" }).waitFor();
    await page.locator("#drafts", { hasText: "menu-child-labour" }).waitFor();
    await page.getByRole("button", { name: "อนุมัติ · Approve" }).click();
    await page.locator("#prompt-state", { hasText: "Now: human" }).waitFor();
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it("flags on the wallboard the languages whose prompts are heard in another language", async () => {
    const { page, problems } = await openPage(browser, `${cc.baseUrl}/wallboard`);
    await signIn(page, TEST_ADMIN_TOKEN);
    const flag = page.locator("#board .notice", { hasText: "heard in another language" });
    await flag.waitFor();
    const text = await flag.textContent();
    expect(text).toContain("Khmer");
    expect(text).toContain("Lao");
    expect(text).not.toContain("Burmese");
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
