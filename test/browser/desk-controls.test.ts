import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, openPage, screenshot, signIn } from "../support/browser.js";
import { startCallCenter, type CallCenter } from "../support/call-center.js";

let cc: CallCenter;
let browser: Browser;
let supervisor: { id: string; token: string };
const SUPERVISOR_PHONE = "+66899000222";
beforeAll(async () => {
  [cc, browser] = await Promise.all([startCallCenter({ WRAP_UP_SECONDS: "45" }), launchBrowser()]);
  supervisor = (await cc.api("POST", "/api/users", { body: { name: "Pranee", role: "supervisor" } })).body;
  cc.carrier.endpoint(SUPERVISOR_PHONE).setMode("answer");
});
afterAll(async () => {
  await browser?.close();
  await cc?.stopAll();
});

/** Server and page clocks move together. */
async function advance(page: Page, ms: number) {
  await cc.clock.advance(ms);
  await page.clock.runFor(ms);
  await cc.settle();
}

const participant = (callSid: string, leg: string) => cc.carrier.conference(callSid)?.participants.find((p) => p.callSid === leg);

describe("the agent desktop's call controls", { timeout: 60_000 }, () => {
  it("answers a returning caller whose callback item then shows reached; holds, mutes, survives a reload, is told of a supervisor, hangs up into a counted-down wrap-up", async () => {
    const caller = "+66812000901";
    // The caller hung up in the menu last time: an open callback item for the number.
    const missed = await cc.callIn(caller, ["1"]);
    await missed.hangup();
    await cc.settle();
    const created = await cc.api("POST", "/api/agents", { body: { name: "Malee", languages: ["th"], endpoint: "client:malee_desk" } });
    cc.carrier.endpoint("client:malee_desk").setMode("manual");
    const { page, problems } = await openPage(browser, `${cc.baseUrl}/agent`, { clockAt: cc.clock.now() });
    await signIn(page, created.body.token);
    await page.getByRole("button", { name: "พร้อมรับสาย · Available" }).click();
    await page.locator('#agent-status[data-agent-status="available"]').waitFor();

    const call = await cc.callIn(caller, ["1", "1"]);
    await page.locator(`#screen-pop[data-call-sid="${call.sid}"] [data-history-callback][data-status="open"]`).waitFor();
    const agentLeg = await cc.carrier.endpoint("client:malee_desk").waitForRing();
    agentLeg.answer();
    await cc.settle();
    // Answered: the same item, now reached by this call.
    await page.locator('#screen-pop[data-phase="connected"] [data-history-callback][data-status="reached"]', { hasText: "ติดต่อได้แล้ว · Reached" }).waitFor();

    await page.getByRole("button", { name: "พักสาย · Hold" }).click();
    await page.locator('#hold[aria-pressed="true"]').waitFor();
    await cc.settle();
    expect(participant(call.sid, call.sid)?.hold).toBe(true);
    expect(call.transcript.at(-1)).toMatchObject({ during: "hold" });
    expect(cc.carrier.hears(call.sid, agentLeg.sid)).toBe(false);
    await page.getByRole("button", { name: "รับสายต่อ · Resume" }).click();
    await page.locator('#hold[aria-pressed="false"]').waitFor();
    expect(participant(call.sid, call.sid)?.hold).toBe(false);

    await page.getByRole("button", { name: "ปิดไมค์ · Mute" }).click();
    await page.locator('#mute[aria-pressed="true"]').waitFor();
    expect(participant(call.sid, agentLeg.sid)?.muted).toBe(true);

    // The phone company refuses the next move: the agent reads why, in Thai and in English.
    cc.carrier.failRest({ times: 1, status: 503, pathIncludes: "/Participants/" });
    await page.getByRole("button", { name: "พักสาย · Hold" }).click();
    const error = page.locator("#call-error:not([hidden])");
    await error.waitFor();
    expect(await error.textContent()).toBe("ระบบโทรศัพท์ไม่ตอบสนอง ลองอีกครั้งในอีกสักครู่ · The phone company did not respond: try again in a moment");
    await screenshot(page, "desk-controls-error.png");

    // The talk timer runs from the server's connect time, through a reload.
    await advance(page, 65_000);
    await page.locator('#call-timer[data-running="true"]', { hasText: "1:05" }).waitFor();
    await page.reload();
    await page.locator('#call-timer[data-running="true"]', { hasText: "1:05" }).waitFor();
    // ...and so does the mute, told by the server.
    await page.locator('#mute[aria-pressed="true"]').waitFor();

    const listening = await cc.api("POST", `/api/calls/${call.sid}/monitor`, { token: supervisor.token, body: { mode: "listen", endpoint: SUPERVISOR_PHONE } });
    expect(listening.status).toBe(201);
    await page.locator('#monitored[data-mode="listen"]', { hasText: "Supervisor Pranee is listening to this call" }).waitFor();
    await screenshot(page, "desk-controls.png");

    await page.getByRole("button", { name: "วางสาย · Hang up" }).click();
    await cc.settle();
    await page.locator(`#wrap-up[data-call-sid="${call.sid}"][data-state="editing"]`).waitFor();
    expect(call.status).toBe("completed");
    await page.locator('#wrap-up-countdown[data-left="45"]').waitFor();
    await advance(page, 10_000);
    await page.locator('#wrap-up-countdown[data-left="35"]', { hasText: "0:35" }).waitFor();
    await page.reload();
    await page.locator('#wrap-up-countdown[data-left="35"]').waitFor();
    await screenshot(page, "desk-wrap-up-countdown.png");
    // The browser logs the refused request itself; nothing else went wrong.
    expect(problems).toEqual([expect.stringMatching(/status of 503 .*\/hold\)$/)]);
    await page.context().close();
  });
});

describe("listening in from the wallboard", { timeout: 60_000 }, () => {
  it("a supervisor listens, whispers, barges in and stops from the live-call list", async () => {
    const agent = await cc.addAgent("Somsak", ["th"], { mode: "answer" });
    const call = await cc.callIn("+66812000902", ["1", "1"]);
    await cc.settle();
    const agentLeg = cc.carrier.endpoint(agent.endpoint).calls.at(-1)!;
    const { page, problems } = await openPage(browser, `${cc.baseUrl}/wallboard`);
    await signIn(page, supervisor.token);
    const row = page.locator(`[data-monitor-call="${call.sid}"]`);
    await row.waitFor();

    // No phone given and none on the account: said in both languages.
    await row.getByRole("button", { name: "ฟัง · Listen" }).click();
    await page.locator("#monitor-error:not([hidden])", { hasText: "ยังไม่ได้ระบุโทรศัพท์ของคุณ" }).waitFor();
    expect(await page.locator("#monitor-error").textContent()).toContain("Your phone is not set");

    await page.getByLabel("โทรศัพท์ของคุณ · Your phone").fill(SUPERVISOR_PHONE);
    await row.getByRole("button", { name: "ฟัง · Listen" }).click();
    await page.locator(`[data-monitor-call="${call.sid}"][data-mode="listen"]`).waitFor();
    await cc.settle();
    const sup = cc.carrier.conference(call.sid)!.participants.find((p) => p.callSid !== call.sid && p.callSid !== agentLeg.sid)!;
    expect(sup.muted).toBe(true);
    expect(cc.carrier.hears(sup.callSid, call.sid)).toBe(true);
    await agent.socket.next("call.monitored", (m) => m.mode === "listen");

    await row.getByRole("button", { name: "กระซิบถึงเจ้าหน้าที่ · Whisper to agent" }).click();
    await page.locator(`[data-monitor-call="${call.sid}"][data-mode="whisper"]`).waitFor();
    expect(cc.carrier.hears(agentLeg.sid, sup.callSid)).toBe(true);
    expect(cc.carrier.hears(call.sid, sup.callSid)).toBe(false);
    await screenshot(page, "wallboard-monitor.png");

    await row.getByRole("button", { name: "ร่วมสนทนา · Barge in" }).click();
    await page.locator(`[data-monitor-call="${call.sid}"][data-mode="barge"]`).waitFor();
    expect(cc.carrier.hears(call.sid, sup.callSid)).toBe(true);

    await row.getByRole("button", { name: "หยุด · Stop" }).click();
    await page.locator(`[data-monitor-call="${call.sid}"][data-mode=""]`).waitFor();
    await cc.settle();
    expect(cc.carrier.call(sup.callSid)?.status).toBe("completed");
    expect(cc.carrier.conference(call.sid)!.participants.map((p) => p.callSid).sort()).toEqual([call.sid, agentLeg.sid].sort());
    await agent.socket.next("call.monitored", (m) => m.mode === "ended");
    expect(problems).toEqual([expect.stringMatching(/status of 409 .*\/monitor\)$/)]);
    await page.context().close();
  });
});
