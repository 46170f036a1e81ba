import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, openPage, screenshot } from "../support/browser.js";
import { startCallCenter, type CallCenter } from "../support/call-center.js";

// The case panel of the agent desktop: open a case on a live call, follow the rule's suggestion or override it.

let cc: CallCenter;
let browser: Browser;
const agency: Record<string, number> = {};

beforeAll(async () => {
  [cc, browser] = await Promise.all([startCallCenter({ WRAP_UP_SECONDS: "300" }), launchBrowser()]);
  const fixtures = {
    team: { name: "ทีมเคลื่อนที่เร็ว ศูนย์ช่วยเหลือสังคม กรุงเทพฯ", type: "rapid_response", province: "10", endpoint: "+6621000101" },
    office: { name: "สำนักงานพัฒนาสังคมฯ กรุงเทพมหานคร", type: "provincial_office", province: "10", endpoint: "+6621000102", hours: "Mon–Fri 08:30–16:30" },
    police: { name: "สถานีตำรวจนครบาลลุมพินี", type: "police", province: "10", endpoint: "+6621000191" },
    national: { name: "ศูนย์ประชาบดี 1300 (ส่วนกลาง)", type: "other", province: null },
  };
  for (const [key, body] of Object.entries(fixtures)) {
    const res = await cc.api("POST", "/api/agencies", { body });
    expect(res.status).toBe(201);
    agency[key] = res.body.id;
  }
});
afterAll(async () => {
  await browser?.close();
  await cc?.stopAll();
});

async function signedIn(name: string, identity: string): Promise<{ page: Page; problems: string[]; endpoint: string }> {
  const endpoint = `client:${identity}`;
  cc.carrier.endpoint(endpoint).setMode("manual");
  const created = await cc.api("POST", "/api/agents", { body: { name, languages: ["th"], endpoint } });
  const { page, problems } = await openPage(browser, `${cc.baseUrl}/agent`);
  await page.getByLabel("รหัสเข้าใช้งาน · Access token").fill(created.body.token);
  await page.getByRole("button", { name: "เข้าสู่ระบบ · Sign in" }).click();
  await page.locator('#agent-status[data-agent-status="offline"]').waitFor();
  return { page, problems, endpoint };
}

describe("the case panel", { timeout: 60_000 }, () => {
  it("opens a case on a live call, shows the rule's suggestion, refers to another agency, and finds the case again after a reload", async () => {
    const { page, problems, endpoint } = await signedIn("Dao", "dao");
    await page.getByRole("button", { name: "พร้อมรับสาย · Available" }).click();
    await page.locator('#agent-status[data-agent-status="available"]').waitFor();
    await cc.settle();
    // Thai, then 2: trafficking — the form starts from the IVR's topic.
    const caller = await cc.callIn("+66812345201", ["1", "2"]);
    await page.locator(`#screen-pop[data-call-sid="${caller.sid}"][data-phase="offered"]`).waitFor();
    expect(await page.locator("#case").isHidden()).toBe(true);
    cc.carrier.endpoint(endpoint).answer();
    await cc.settle();
    await page.locator("#case:not([hidden])").waitFor();
    expect(await page.getByLabel("ประเภทเรื่อง · Category").inputValue()).toBe("trafficking");
    expect(await page.getByLabel("ปกติ · Normal").isChecked()).toBe(true);
    // 77 provinces and "not known yet", Thai and English.
    expect(await page.locator("#case-province option").count()).toBe(78);
    expect(await page.locator('#case-province option[value="10"]').textContent()).toBe("กรุงเทพมหานคร · Bangkok");

    await page.getByLabel("ประเภทเรื่อง · Category").selectOption("violence_women");
    await page.getByLabel("จังหวัดที่เกิดเหตุ · Province").selectOption("10");
    await page.getByLabel("วิกฤต · Crisis").check();
    await page.getByLabel("รายละเอียดเคส · Case notes").fill("Woman locked in a room by her partner, Lumphini");
    await page.getByText("People involved (optional)").click();
    await page.getByRole("button", { name: "เพิ่มบุคคล · Add a person" }).click();
    await page.getByLabel("ชื่อ (ถ้าทราบ) · Name (if known)").fill("คุณเอ");
    await page.getByLabel("อายุ · Age").fill("34");
    await page.getByLabel("เพศ · Sex").selectOption("female");
    await page.getByRole("button", { name: "เปิดเคส · Open case" }).click();
    await page.locator("#case[data-case-id]").waitFor();
    const caseId = Number(await page.locator("#case").getAttribute("data-case-id"));

    const suggestion = page.locator(`#suggestion[data-agency-id="${agency.team}"]`);
    await suggestion.waitFor();
    expect(await suggestion.locator(".rule").textContent()).toContain("Crisis in Bangkok: rapid-response team");
    // The override list: the suggestion, the rest of Bangkok, then nationwide agencies.
    expect(await page.locator("#referral-agency optgroup").evaluateAll((groups) => groups.map((g) => g.getAttribute("label")))).toEqual([
      "★ แนะนำ · Suggested",
      "ในจังหวัด · In กรุงเทพมหานคร · Bangkok",
      "ทั่วประเทศ · Nationwide",
    ]);
    // The agent overrides the rule; the transfer panel follows her choice, as the police have a phone.
    await page.getByLabel("ส่งต่อเคสไปที่ · Refer the case to").selectOption(String(agency.police));
    expect(await page.locator("#transfer-agency").inputValue()).toBe(String(agency.police));
    await page.getByLabel("หมายเหตุถึงหน่วยงาน · Note for the agency").fill("Partner is armed; caller can talk only in whispers");
    await page.getByRole("button", { name: "ส่งต่อเคส · Refer" }).click();
    const referral = page.locator(`#referrals li[data-agency-id="${agency.police}"]`);
    await referral.waitFor();
    expect(await referral.textContent()).toContain("chosen instead of the suggestion");
    await page.locator("#case-title-id", { hasText: "ส่งต่อแล้ว · Referred" }).waitFor();

    const stored = await cc.api("GET", `/api/cases/${caseId}`);
    expect(stored.body).toMatchObject({
      category: "violence_women",
      province: "10",
      urgency: "crisis",
      channel: "hotline",
      callerNumber: "+66812345201",
      notes: "Woman locked in a room by her partner, Lumphini",
      people: [{ role: "victim", name: "คุณเอ", age: 34, sex: "female" }],
      status: "referred",
      links: [{ callSid: caller.sid }],
      referrals: [{ agencyId: agency.police, suggestedAgencyId: agency.team, overridden: true, rule: "crisis_bangkok_rapid_response", status: "sent", note: "Partner is armed; caller can talk only in whispers" }],
    });

    // Less urgent after all: saving the change asks the rule again.
    await page.getByLabel("เร่งด่วน · Urgent").check();
    await page.getByRole("button", { name: "บันทึกการแก้ไข · Save changes" }).click();
    await page.locator(`#suggestion[data-agency-id="${agency.office}"]`).waitFor();
    expect(await page.locator("#suggestion .rule").textContent()).toContain("The provincial social development office");
    expect((await cc.api("GET", `/api/cases/${caseId}`)).body.urgency).toBe("urgent");
    await screenshot(page, "case.png");

    // A reload mid-call: the case linked to this call comes back, filled in, with its referral — found among
    // the caller's open cases even when the tab has forgotten which case it opened.
    await page.evaluate(() => sessionStorage.removeItem("hotline.agent.cases"));
    await page.reload();
    await page.locator(`#screen-pop[data-call-sid="${caller.sid}"][data-phase="connected"]`).waitFor();
    await page.locator(`#case[data-case-id="${caseId}"]`).waitFor();
    expect(await page.getByLabel("รายละเอียดเคส · Case notes").inputValue()).toBe("Woman locked in a room by her partner, Lumphini");
    expect(await page.getByLabel("เร่งด่วน · Urgent").isChecked()).toBe(true);
    expect(await page.getByLabel("อายุ · Age").inputValue()).toBe("34");
    await page.locator(`#referrals li[data-agency-id="${agency.police}"]`).waitFor();
    await page.locator(`#suggestion[data-agency-id="${agency.office}"]`).waitFor();
    expect(problems).toEqual([]);

    await caller.hangup();
    await cc.settle();
    await page.locator(`#wrap-up[data-call-sid="${caller.sid}"][data-state="editing"]`).waitFor();
    expect(await page.locator("#outcome").inputValue()).toBe("referred");
    await page.context().close();
  });

  it("says why there is no suggestion while the province is not known, and asks for an agency before referring", async () => {
    const { page, problems, endpoint } = await signedIn("Fah", "fah");
    await page.getByRole("button", { name: "พร้อมรับสาย · Available" }).click();
    await page.locator('#agent-status[data-agent-status="available"]').waitFor();
    await cc.settle();
    const caller = await cc.callIn("+66812345202", ["1", "5"]);
    cc.carrier.endpoint(endpoint).answer();
    await cc.settle();
    await page.locator("#case:not([hidden])").waitFor();
    await page.getByRole("button", { name: "เปิดเคส · Open case" }).click();
    await page.locator("#case[data-case-id]").waitFor();
    await page.locator("#suggestion", { hasText: "set the province to get a suggestion" }).waitFor();
    expect(await page.locator("#referral-agency").inputValue()).toBe("");
    await page.getByRole("button", { name: "ส่งต่อเคส · Refer" }).click();
    await page.locator("#referral-error", { hasText: "Choose an agency first" }).waitFor();
    // The national agency has no phone: it may take a referral, not a transfer.
    expect(await page.locator(`#transfer-agency option[value="${agency.national}"]`).isDisabled()).toBe(true);
    expect(problems).toEqual([]);
    await caller.hangup();
    await cc.settle();
    await page.context().close();
  });

});

/** Stands in for Twilio's bundle: a Device that records what the page asks of it, driven by the test. */
const FAKE_VOICE_SDK = `
class Emitter {
  constructor() { this.handlers = {}; }
  on(event, fn) { (this.handlers[event] ??= []).push(fn); return this; }
  emit(event, ...args) { for (const fn of this.handlers[event] ?? []) fn(...args); }
}
window.Twilio = { Device: class extends Emitter {
  constructor(token, options) { super(); this.token = token; this.options = options; window.__device = this; }
  async register() { this.emit("registered"); }
  updateToken(token) { this.token = token; }
  destroy() { this.destroyed = true; }
} };
window.__ring = () => {
  const call = Object.assign(new Emitter(), { muted: false, accepted: false,
    accept() { this.accepted = true; this.emit("accept"); }, isMuted() { return this.muted; }, mute(m) { this.muted = m; },
    disconnect() { this.emit("disconnect"); } });
  window.__call = call;
  window.__device.emit("incoming", call);
};`;

interface FakePhone {
  __device: { token: string; destroyed?: boolean; emit(event: string, ...args: unknown[]): void };
  __call: { accepted: boolean; muted: boolean };
  __ring(): void;
}

describe("the browser phone", { timeout: 60_000 }, () => {
  it("with a Twilio account: registers the agent's identity, answers with the Answer button and renews its token before expiry", async () => {
    const created = await cc.api("POST", "/api/agents", { body: { name: "Mali", languages: ["th"], endpoint: "client:mali" } });
    const { page, problems } = await openPage(browser, `${cc.baseUrl}/agent`);
    // This server runs the built-in carrier; the page is shown what a Twilio-backed server would answer.
    let issued = 0;
    await page.route(`${cc.baseUrl}/api/voice-token`, (route) =>
      route.fulfill({ json: { mode: "twilio", identity: "mali", token: `token-${++issued}`, expiresInSeconds: 3600 } }));
    await page.route(`${cc.baseUrl}/web/twilio-voice.min.js`, (route) => route.fulfill({ contentType: "text/javascript", body: FAKE_VOICE_SDK }));
    await page.getByLabel("รหัสเข้าใช้งาน · Access token").fill(created.body.token);
    await page.getByRole("button", { name: "เข้าสู่ระบบ · Sign in" }).click();
    await page.locator('#phone [data-phone-state="ready"]', { hasText: "mali" }).waitFor();
    expect(await page.evaluate(() => (window as unknown as FakePhone).__device.token)).toBe("token-1");

    await page.evaluate(() => (window as unknown as FakePhone).__ring());
    await page.getByRole("button", { name: "รับสาย · Answer" }).click();
    expect(await page.evaluate(() => (window as unknown as FakePhone).__call.accepted)).toBe(true);
    await page.getByRole("button", { name: "ปิดไมค์ · Mute" }).click();
    expect(await page.evaluate(() => (window as unknown as FakePhone).__call.muted)).toBe(true);
    await page.getByRole("button", { name: "วางสาย · Hang up" }).click();
    await page.getByRole("button", { name: "รับสาย · Answer" }).waitFor({ state: "detached" });

    await page.evaluate(() => (window as unknown as FakePhone).__device.emit("tokenWillExpire", (window as unknown as FakePhone).__device));
    await page.waitForFunction(() => (window as unknown as FakePhone).__device.token === "token-2");
    await page.getByRole("button", { name: "ออกจากระบบ · Sign out" }).click();
    expect(await page.evaluate(() => (window as unknown as FakePhone).__device.destroyed)).toBe(true);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it("serves Twilio's Voice SDK from this origin, and the desktop's policy lets it load and reach Twilio (the wallboard's does not)", async () => {
    const bundle = await fetch(`${cc.baseUrl}/web/twilio-voice.min.js`);
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get("content-type")).toMatch(/^text\/javascript/);
    const desk = await fetch(`${cc.baseUrl}/agent`);
    expect(desk.headers.get("content-security-policy")).toContain("connect-src 'self' wss://*.twilio.com https://*.twilio.com");
    expect((await fetch(`${cc.baseUrl}/wallboard`)).headers.get("content-security-policy")).toContain("connect-src 'self';");

    const { page, problems } = await signedIn("Kaew", "kaew");
    await page.addScriptTag({ url: "/web/twilio-voice.min.js" });
    expect(await page.evaluate(() => typeof (window as unknown as { Twilio?: { Device?: unknown } }).Twilio?.Device)).toBe("function");
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
