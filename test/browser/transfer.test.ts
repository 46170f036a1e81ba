import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SimCall } from "../../src/carrier/index.js";
import { dropConnection, launchBrowser, openPage, screenshot } from "../support/browser.js";
import { startCallCenter, type CallCenter } from "../support/call-center.js";

// The agent desktop drives a whole warm transfer: case, suggested agency, briefing, hand-over.

let cc: CallCenter;
let browser: Browser;
let shelterId: number;
let officeId: number;
const SHELTER_PHONE = "+6653000111";
const OFFICE_PHONE = "+6653000222";

beforeAll(async () => {
  [cc, browser] = await Promise.all([startCallCenter({ WRAP_UP_SECONDS: "300" }), launchBrowser()]);
  const shelter = await cc.api("POST", "/api/agencies", {
    body: { name: "บ้านพักเด็กและครอบครัวจังหวัดเชียงใหม่", type: "child_family_shelter", province: "50", endpoint: SHELTER_PHONE },
  });
  expect(shelter.status).toBe(201);
  shelterId = shelter.body.id;
  const office = await cc.api("POST", "/api/agencies", {
    body: { name: "สำนักงานพัฒนาสังคมและความมั่นคงของมนุษย์จังหวัดเชียงใหม่", type: "provincial_office", province: "50", endpoint: OFFICE_PHONE, hours: "Mon–Fri 08:30–16:30" },
  });
  expect(office.status).toBe(201);
  officeId = office.body.id;
  cc.carrier.endpoint(SHELTER_PHONE).setMode("manual");
  cc.carrier.endpoint(OFFICE_PHONE).setMode("manual");
});
afterAll(async () => {
  await browser?.close();
  await cc?.stopAll();
});

const inboundCalls = () => cc.carrier.calls().filter((c) => c.direction === "inbound").length;
const inConference = (caller: SimCall) => cc.carrier.conference(caller.sid)?.participants.map((p) => p.callSid).sort() ?? [];

/** An agent signed in on the desktop, available, whose phone (a carrier endpoint) the test answers. */
async function agentOnDesktop(name: string, identity: string, languages = ["th"], statusAfter = "available"): Promise<{ page: Page; problems: string[]; endpoint: string }> {
  const endpoint = `client:${identity}`;
  cc.carrier.endpoint(endpoint).setMode("manual");
  const created = await cc.api("POST", "/api/agents", { body: { name, languages, endpoint } });
  expect(created.status).toBe(201);
  const { page, problems } = await openPage(browser, `${cc.baseUrl}/agent`);
  await page.getByLabel("รหัสเข้าใช้งาน · Access token").fill(created.body.token);
  await page.getByRole("button", { name: "เข้าสู่ระบบ · Sign in" }).click();
  await page.getByRole("button", { name: "พร้อมรับสาย · Available" }).click();
  await page.locator(`#agent-status[data-agent-status="${statusAfter}"]`).waitFor();
  await cc.settle();
  return { page, problems, endpoint };
}

/** A Thai caller on the violence topic, answered by the agent: the call is live on the page. */
async function liveCall(page: Page, endpoint: string, from: string): Promise<{ caller: SimCall; agentLeg: SimCall }> {
  const caller = await cc.callIn(from, ["1", "1"]);
  await page.locator(`#screen-pop[data-call-sid="${caller.sid}"][data-phase="offered"]`).waitFor();
  const agentLeg = cc.carrier.endpoint(endpoint).answer();
  await cc.settle();
  await page.locator(`#screen-pop[data-call-sid="${caller.sid}"][data-phase="connected"]`).waitFor();
  return { caller, agentLeg };
}

async function openCrisisCase(page: Page) {
  await page.getByLabel("ประเภทเรื่อง · Category").selectOption("violence_child");
  await page.getByLabel("จังหวัดที่เกิดเหตุ · Province").selectOption("50");
  await page.getByLabel("วิกฤต · Crisis").check();
  await page.getByLabel("รายละเอียดเคส · Case notes").fill("Girl, 12, beaten at home tonight; mother afraid to go back");
  await page.getByRole("button", { name: "เปิดเคส · Open case" }).click();
  await page.locator("#case[data-case-id]").waitFor();
  return Number(await page.locator("#case").getAttribute("data-case-id"));
}

describe("transfer from the agent desktop", { timeout: 60_000 }, () => {
  it("a warm transfer: the agent opens a case, sees the suggested shelter, briefs it, then leaves caller and shelter together", async () => {
    const { page, problems, endpoint } = await agentOnDesktop("Ploy", "ploy");
    const { caller, agentLeg } = await liveCall(page, endpoint, "+66812345101");
    const callsBefore = inboundCalls();

    const caseId = await openCrisisCase(page);
    const suggestion = page.locator(`#suggestion[data-agency-id="${shelterId}"]`);
    await suggestion.waitFor();
    expect(await suggestion.locator(".rule").textContent()).toContain("Crisis outside Bangkok: the province's shelter");
    expect(await page.locator("#referral-agency").inputValue()).toBe(String(shelterId));
    // The transfer panel starts from the suggestion too, and the shelter answers the phone.
    expect(await page.locator("#transfer-agency").inputValue()).toBe(String(shelterId));
    expect(await page.getByLabel(/Warm: brief the agency first/).isChecked()).toBe(true);

    await page.getByRole("button", { name: "เริ่มโอนสาย · Start transfer" }).click();
    await page.locator('#transfer-status[data-transfer-status="dialling"]').waitFor();
    const shelterLeg = await cc.carrier.endpoint(SHELTER_PHONE).waitForRing();
    await cc.settle();
    // Join is only possible once someone at the shelter has answered; taking the caller back is possible at once.
    expect(await page.getByRole("button", { name: "ส่งต่อและวางสาย · Join caller and leave" }).isDisabled()).toBe(true);
    expect(await page.getByRole("button", { name: "รับสายคืน · Take the caller back" }).isEnabled()).toBe(true);
    expect(cc.carrier.conference(caller.sid)?.participants.find((p) => p.callSid === caller.sid)?.hold).toBe(true);

    shelterLeg.answer();
    await cc.settle();
    await page.locator('#transfer-status[data-transfer-status="briefing"]').waitFor();
    expect(inConference(caller)).toEqual([caller.sid, agentLeg.sid, shelterLeg.sid].sort());
    await screenshot(page, "transfer-briefing.png");

    await page.getByRole("button", { name: "ส่งต่อและวางสาย · Join caller and leave" }).click();
    await page.locator('#transfer-status[data-transfer-status="completed"]').waitFor();
    await cc.settle();
    expect(inConference(caller)).toEqual([caller.sid, shelterLeg.sid].sort());
    expect(cc.carrier.conference(caller.sid)!.participants.every((p) => !p.hold)).toBe(true);
    expect(agentLeg.ended).toBe(true);
    expect(caller.ended).toBe(false);
    expect(shelterLeg.ended).toBe(false);
    expect(inboundCalls()).toBe(callsBefore);

    // The agent's call is over for her: the wrap-up opens with "referred" already chosen.
    await page.locator(`#wrap-up[data-call-sid="${caller.sid}"][data-state="editing"]`).waitFor();
    expect(await page.locator("#outcome").inputValue()).toBe("referred");
    const transfers = await cc.api("GET", `/api/calls/${caller.sid}/transfers`);
    expect(transfers.body.items).toMatchObject([{ agencyId: shelterId, caseId, mode: "warm", status: "completed" }]);
    await screenshot(page, "transfer.png");
    expect(problems).toEqual([]);

    await shelterLeg.hangup();
    await cc.settle();
    expect(caller.ended).toBe(true);
    await page.context().close();
  });

  it("taking the caller back while the agency's phone rings: the caller is off hold with the agent and may be transferred again", async () => {
    const { page, problems, endpoint } = await agentOnDesktop("Nok", "nok");
    const { caller, agentLeg } = await liveCall(page, endpoint, "+66812345102");
    // No case this time: the agent picks the agency herself.
    await page.getByLabel("หน่วยงานปลายทาง · Agency").selectOption(String(officeId));
    await page.getByRole("button", { name: "เริ่มโอนสาย · Start transfer" }).click();
    const officeLeg = await cc.carrier.endpoint(OFFICE_PHONE).waitForRing();
    await cc.settle();
    await page.locator('#transfer-status[data-transfer-status="dialling"]').waitFor();

    await page.getByRole("button", { name: "รับสายคืน · Take the caller back" }).click();
    await page.locator('#transfer-status[data-transfer-status="returned"]').waitFor();
    await cc.settle();
    expect(officeLeg.ended).toBe(true);
    expect(inConference(caller)).toEqual([caller.sid, agentLeg.sid].sort());
    expect(cc.carrier.conference(caller.sid)!.participants.every((p) => !p.hold)).toBe(true);
    await page.locator(`#screen-pop[data-call-sid="${caller.sid}"][data-phase="connected"]`).waitFor();
    await page.getByRole("button", { name: "เริ่มโอนสาย · Start transfer" }).waitFor();
    expect(problems).toEqual([]);

    await caller.hangup();
    await cc.settle();
    await page.locator(`#wrap-up[data-call-sid="${caller.sid}"][data-state="editing"]`).waitFor();
    await page.context().close();
  });

  it("catches up after a dropped connection, and shows the caller coming back when the agency hangs up during the briefing", async () => {
    const { page, problems, endpoint } = await agentOnDesktop("Fon", "fon");
    const { caller, agentLeg } = await liveCall(page, endpoint, "+66812345103");
    await page.getByLabel("หน่วยงานปลายทาง · Agency").selectOption(String(shelterId));
    await page.getByRole("button", { name: "เริ่มโอนสาย · Start transfer" }).click();
    await page.locator('#transfer-status[data-transfer-status="dialling"]').waitFor();
    const shelterLeg = await cc.carrier.endpoint(SHELTER_PHONE).waitForRing();
    await cc.settle();

    // The shelter answers while the desktop is offline: the page learns it on reconnecting.
    await dropConnection(page);
    await page.locator('#connection[data-state="reconnecting"]').waitFor();
    shelterLeg.answer();
    await cc.settle();
    await page.locator('#connection[data-state="open"]').waitFor();
    await page.locator('#transfer-status[data-transfer-status="briefing"]').waitFor();

    await shelterLeg.hangup();
    await cc.settle();
    await page.locator('#transfer-status[data-transfer-status="returned"]').waitFor();
    expect(inConference(caller)).toEqual([caller.sid, agentLeg.sid].sort());
    expect(cc.carrier.conference(caller.sid)!.participants.every((p) => !p.hold)).toBe(true);
    expect(await page.locator("#transfer-actions").isHidden()).toBe(true);
    await page.getByRole("button", { name: "เริ่มโอนสาย · Start transfer" }).waitFor();
    expect(problems).toEqual([]);

    await caller.hangup();
    await cc.settle();
    await page.context().close();
  });

  // Offered at once: the kept place is next in line when a Burmese speaker becomes available.
  it("a caller the hotline called back can be transferred, warm only", async () => {
    const from = "+66870000077";
    // Burmese, which no agent here speaks yet: the caller waits, then asks to be called back.
    // Keys: Burmese, violence, then (waiting in the queue) the callback key.
    const asker = await cc.callIn(from, ["2", "1", "1"]);
    cc.carrier.endpoint(from).setMode("answer");
    const { page, problems, endpoint } = await agentOnDesktop("ซอ · Zaw", "zaw", ["my"], "offered");
    await page.locator(`#screen-pop[data-call-sid="${asker.sid}"][data-phase="offered"]`).waitFor();
    cc.carrier.endpoint(endpoint).answer();
    await cc.settle();
    await page.locator(`#screen-pop[data-call-sid="${asker.sid}"][data-phase="connected"]`).waitFor();
    await page.locator("#transfer").waitFor();
    expect(await page.locator('input[name="transfer-mode"][value="cold"]').isDisabled()).toBe(true);
    expect(await page.locator('input[name="transfer-mode"][value="warm"]').isChecked()).toBe(true);
    expect(await page.locator("#transfer-cold-note").isVisible()).toBe(true);
    await page.getByLabel("หน่วยงานปลายทาง · Agency").selectOption(String(shelterId));
    await page.getByRole("button", { name: "เริ่มโอนสาย · Start transfer" }).click();
    await page.locator('#transfer-status[data-transfer-status="dialling"]').waitFor();
    await cc.settle();
    const back = cc.carrier.calls().find((c) => c.to === from && c.direction === "outbound-api")!;
    expect(cc.carrier.conference(asker.sid)!.participants.find((p) => p.callSid === back.sid)?.hold).toBe(true);
    await screenshot(page, "transfer-callback.png");
    await back.hangup();
    await cc.settle();
    expect(problems).toEqual([]);
  });
});
