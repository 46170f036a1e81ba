import { and, eq } from "drizzle-orm";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tables } from "../../db/storage.js";
import { dropConnection, launchBrowser, openPage, screenshot } from "../support/browser.js";
import { startCallCenter, type CallCenter } from "../support/call-center.js";

let cc: CallCenter;
let browser: Browser;
beforeAll(async () => {
  [cc, browser] = await Promise.all([startCallCenter({ WRAP_UP_SECONDS: "300", OFFER_TIMEOUT_SECONDS: "30" }), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await cc?.stopAll();
});

const CALLER = "+66812345001";
const EARLIER_NOTE = "Referred to the OSCC shelter in Khon Kaen";

/** Server and page clocks move together: call time is the ManualClock's, the page's timer follows it. */
async function advance(page: Page, ms: number) {
  await cc.clock.advance(ms);
  await page.clock.runFor(ms);
  await cc.settle();
}

const dispositionsOf = async (callSid: string) => {
  const db = cc.hotline.services.ctx.db;
  const { events } = tables(db);
  return db.select().from(events).where(and(eq(events.callSid, callSid), eq(events.type, "call.disposition")));
};

/** Walks the IVR like a person: a few seconds of listening before each key, so the path has timings. */
async function callIn(from: string, keys: string[]) {
  const call = cc.carrier.placeCall({ from });
  await cc.settle();
  for (const key of keys) {
    await call.waitFor("gather");
    await cc.clock.advance(3_000);
    call.press(key);
    await cc.settle();
  }
  return call;
}

/** A first call answered by a colleague who recorded a referral, then a call abandoned in the queue. */
async function earlierCalls() {
  const somchai = await cc.addAgent("Somchai", ["th"]);
  const first = await cc.callIn(CALLER, ["1", "1"]);
  cc.carrier.endpoint(somchai.endpoint).answer();
  await cc.settle();
  await cc.clock.advance(90_000);
  await first.hangup();
  await cc.settle();
  somchai.socket.send({ type: "disposition", callSid: first.sid, outcome: "referred", note: EARLIER_NOTE });
  await somchai.socket.next("ack", (m) => m.of === "disposition");
  await somchai.socket.setStatus("offline");
  await cc.settle();
  // Returning caller: 1 keeps Thai, 1 is violence. Nobody is free, so they wait and give up.
  const second = await cc.callIn(CALLER, ["1", "1"]);
  await cc.clock.advance(40_000);
  await second.hangup();
  await cc.settle();
}

describe("the agent desktop", { timeout: 60_000 }, () => {
  it("shows the screen-pop with language and history, then the call timer, then the wrap-up form whose disposition reaches the server", async () => {
    await earlierCalls();
    const created = await cc.api("POST", "/api/agents", { body: { name: "Malee", languages: ["th", "my"], endpoint: "client:malee" } });
    expect(created.status).toBe(201);

    const { page, problems } = await openPage(browser, `${cc.baseUrl}/agent`, { clockAt: cc.clock.now() });
    await page.getByLabel("รหัสเข้าใช้งาน · Access token").fill(created.body.token);
    await page.getByRole("button", { name: "เข้าสู่ระบบ · Sign in" }).click();
    await page.locator('#agent-status[data-agent-status="offline"]').waitFor();
    // Her slice of the backlog: the abandoned call from this Thai caller, number masked.
    await page.locator("#callbacks [data-callback-id]", { hasText: "+66******001" }).waitFor();
    await page.locator("#phone", { hasText: "test-call page" }).waitFor();

    // The caller waits 45 s before she makes herself available; then the call is hers at once.
    const call = await callIn(CALLER, ["1", "1"]);
    await advance(page, 45_000);
    await page.getByRole("button", { name: "พร้อมรับสาย · Available" }).click();
    const pop = page.locator(`#screen-pop[data-call-sid="${call.sid}"][data-phase="offered"]`);
    await pop.waitFor();
    expect(await pop.locator('[data-field="from"]').textContent()).toBe(CALLER);
    expect(await pop.locator('[data-field="language"]').textContent()).toBe("ไทย · Thai");
    expect(await pop.locator('[data-field="topic"]').textContent()).toBe("ความรุนแรง · Violence");
    expect(await pop.locator("[data-history-call]").count()).toBe(2);
    await pop.locator("[data-history-call]", { hasText: "วางสายระหว่างรอ · Hung up while waiting" }).waitFor();
    await pop.locator('[data-field="note"]', { hasText: EARLIER_NOTE }).waitFor();
    await pop.locator("[data-history-callback]").waitFor();
    expect(await pop.locator('[data-field="waited"]').textContent()).toBe("0:45");
    expect(await pop.locator(".ivr li").allTextContents()).toEqual([
      "+0:00 · เริ่มสาย · call starts → returning (ไทย · Thai)",
      "+0:03 · กด · key 1 → main-menu (ไทย · Thai)",
      "+0:06 · กด · key 1 → queue (ไทย · Thai)",
    ]);

    cc.carrier.endpoint("client:malee").answer();
    await cc.settle();
    const timer = page.locator('#call-timer[data-running="true"]');
    await timer.waitFor();
    await advance(page, 65_000);
    await page.locator('#call-timer[data-running="true"]', { hasText: "1:05" }).waitFor();
    await screenshot(page, "agent-desktop.png");

    // The connection drops mid-call: the page retries after its backoff and the server hands the call back.
    await dropConnection(page);
    await page.locator('#connection[data-state="reconnecting"]').waitFor();
    await advance(page, 2_000);
    await page.locator('#connection[data-state="open"]').waitFor();
    await page.locator(`#screen-pop[data-call-sid="${call.sid}"][data-phase="connected"]`).waitFor();
    await page.locator('#call-timer[data-running="true"]', { hasText: "1:07" }).waitFor();

    // A reload (like a dropped connection) signs in again from the tab's session and gets the call back.
    await page.reload();
    await page.locator(`#screen-pop[data-call-sid="${call.sid}"][data-phase="connected"]`).waitFor();
    await timer.waitFor();

    await call.hangup();
    await cc.settle();
    const wrapUp = page.locator(`#wrap-up[data-call-sid="${call.sid}"][data-state="editing"]`);
    await wrapUp.waitFor();
    expect(await page.locator("#topic").inputValue()).toBe("violence");
    await page.getByLabel("ผลการให้บริการ · Outcome").selectOption("advice_given");
    await page.getByLabel("เรื่อง (ยืนยันหรือแก้ไข) · Topic (confirm or correct)").selectOption("trafficking");
    await page.getByLabel("บันทึกสั้น ๆ · Short note").fill("Worker held by employer; gave labour office number");
    await page.getByRole("button", { name: "บันทึกและพร้อมรับสาย · Save & available" }).click();
    await page.locator('#wrap-up[data-state="saved"]').waitFor();
    await page.locator('#agent-status[data-agent-status="available"]').waitFor();

    expect((await dispositionsOf(call.sid)).map((e) => e.data)).toEqual([
      { outcome: "advice_given", topic: "trafficking", note: "Worker held by employer; gave labour office number" },
    ]);
    expect(problems).toEqual([]);
    await page.getByRole("button", { name: "ออฟไลน์ · Offline" }).click();
    await page.locator('#agent-status[data-agent-status="offline"]').waitFor();
    await page.context().close();
  });

  it("lets an agent claim a callback from her list and call back: her phone rings first, with the caller's screen-pop", async () => {
    const number = "+66820000201";
    const missed = await callIn(number, ["2", "5"]);
    await cc.clock.advance(20_000);
    await missed.hangup();
    await cc.settle();
    const created = await cc.api("POST", "/api/agents", { body: { name: "Aye", languages: ["my"], endpoint: "client:aye" } });
    const { page, problems } = await openPage(browser, `${cc.baseUrl}/agent`);
    await page.getByLabel("รหัสเข้าใช้งาน · Access token").fill(created.body.token);
    await page.getByRole("button", { name: "เข้าสู่ระบบ · Sign in" }).click();

    const row = page.locator("#callbacks [data-callback-id]", { hasText: "+66******201" });
    await row.getByRole("button", { name: "รับเรื่อง · Claim" }).click();
    // Calling back needs her to be available: the button waits for that.
    const callBack = row.getByRole("button", { name: "โทรกลับ · Call back" });
    expect(await callBack.isDisabled()).toBe(true);
    await page.getByRole("button", { name: "พร้อมรับสาย · Available" }).click();
    await page.locator("#callbacks [data-callback-id] button:enabled", { hasText: "Call back" }).click();

    await page.locator(`#screen-pop[data-call-sid="${missed.sid}"][data-phase="offered"]`).waitFor();
    expect(await page.locator('#screen-pop [data-field="language"]').textContent()).toBe("พม่า · Burmese");
    (await cc.carrier.endpoint("client:aye").waitForRing()).answer();
    await cc.settle();
    (await cc.carrier.endpoint(number).waitForRing()).answer();
    await cc.settle();
    await page.locator('#screen-pop[data-phase="connected"] #call-timer[data-running="true"]').waitFor();
    for (const leg of cc.carrier.liveCalls()) await leg.hangup();
    await cc.settle();
    await page.locator('#wrap-up[data-state="editing"]').waitFor();
    expect(problems).toEqual([]);
  });
});
