import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
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

async function openAdmin(tab: string, token = TEST_ADMIN_TOKEN) {
  const opened = await openPage(browser, `${cc.baseUrl}/admin#${tab}`);
  await signIn(opened.page, token);
  await opened.page.locator("#admin").waitFor();
  return opened;
}

/** The browser logs each refused request; a test that provokes one expects exactly that. */
const unexpected = (problems: string[], ...refused: string[]) =>
  problems.filter((p) => !refused.some((path) => p.startsWith("console: Failed to load resource: the server responded with a status of 4") && p.includes(path)));

const userRow = (page: Page, name: string) => page.locator("#users tr", { has: page.getByText(name, { exact: true }) });

describe("the admin pages", { timeout: 60_000 }, () => {
  it("refuse an agent's token", async () => {
    const agent = await cc.addAgent("Dara", ["km"], { available: false });
    const { page, problems } = await openPage(browser, `${cc.baseUrl}/admin`);
    await signIn(page, agent.token);
    await page.locator("#sign-in-error", { hasText: "need a supervisor or admin token" }).waitFor();
    expect(await page.locator("#admin").isHidden()).toBe(true);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it("create an agent and show the token once, explain a bad identity in Thai and English, deactivate and rotate", async () => {
    const { page, problems } = await openAdmin("users");
    const form = page.locator("#agent-form");
    await form.getByLabel("ชื่อ · Name").fill("Nok");
    await form.getByLabel("ไทย · Thai").check();
    await form.getByLabel("พม่า · Burmese").check();
    await form.getByLabel("ปลายทางโทรศัพท์ · Phone endpoint").fill("client:nok-k");
    await form.getByRole("button", { name: "เพิ่มเจ้าหน้าที่ · Add agent" }).click();
    const error = page.locator("#agent-error");
    await error.waitFor();
    const said = await error.innerText();
    expect(said).toContain("ชื่อ client: ใช้ได้เฉพาะตัวอักษรภาษาอังกฤษ ตัวเลข และขีดล่าง");
    expect(said).toContain("A client: identity may hold only letters, digits and underscores");
    expect(said).toContain("^[A-Za-z0-9_]{1,121}$");
    await screenshot(page, "admin-agent-bad-identity.png");

    await form.getByLabel("ปลายทางโทรศัพท์ · Phone endpoint").fill("client:nok_k");
    await form.getByRole("button", { name: "เพิ่มเจ้าหน้าที่ · Add agent" }).click();
    await page.locator("#token-once", { hasText: "Access token for Nok" }).waitFor();
    expect(await error.isHidden()).toBe(true);
    const token = (await page.locator("#token-once-value").innerText()).trim();
    expect(token.length).toBeGreaterThan(20);
    // The token works: the agent's API answers it.
    expect((await cc.api("GET", "/api/callbacks?status=open", { token })).status).toBe(200);
    const nok = userRow(page, "Nok");
    await nok.waitFor();
    expect(await nok.innerText()).toContain("client:nok_k");
    await screenshot(page, "admin-agent-token-once.png");
    await page.getByRole("button", { name: "คัดลอกแล้ว ซ่อน · Copied, hide it" }).click();
    expect(await page.locator("#token-once").isHidden()).toBe(true);
    // Shown once: the list never holds it, and a reload does not bring it back.
    await page.reload();
    await nok.waitFor();
    expect(await page.content()).not.toContain(token);

    await nok.getByRole("button", { name: "ปิดใช้งาน · Deactivate" }).click();
    await page.locator("#users-notice", { hasText: "Nok is deactivated" }).waitFor();
    await nok.getByText("ปิดใช้งาน · Deactivated").waitFor();
    expect((await cc.api("GET", "/api/callbacks?status=open", { token })).status).toBe(401);
    await nok.getByRole("button", { name: "เปิดใช้งาน · Reactivate" }).click();
    await page.locator("#users-notice", { hasText: "Nok is active again" }).waitFor();
    expect((await cc.api("GET", "/api/callbacks?status=open", { token })).status).toBe(200);

    await nok.getByRole("button", { name: "ออกรหัสใหม่ · New token" }).click();
    await page.locator("#token-once", { hasText: "New token for Nok" }).waitFor();
    const rotated = (await page.locator("#token-once-value").innerText()).trim();
    expect(rotated).not.toBe(token);
    expect((await cc.api("GET", "/api/callbacks?status=open", { token })).status).toBe(401);
    expect((await cc.api("GET", "/api/callbacks?status=open", { token: rotated })).status).toBe(200);
    await screenshot(page, "admin-users.png");
    expect(unexpected(problems, "/api/agents")).toEqual([]);
    await page.context().close();
  });

  it("search, add and edit agencies; preview an import with an error row, then import a clean file and export", async () => {
    const { page, problems } = await openAdmin("agencies");
    const form = page.locator("#agency-form");
    await form.getByLabel("ชื่อหน่วยงาน · Name").fill("Chiang Mai shelter (admin test)");
    await form.getByLabel("ประเภท · Type").selectOption("child_family_shelter");
    await form.getByLabel("จังหวัด · Province").selectOption("50");
    await form.getByLabel("เบอร์โทร · Phone (+66…, sip:…)").fill("02 123 4567");
    await form.getByRole("button", { name: "เพิ่ม · Add" }).click();
    await page.locator("#agency-notice:not([hidden])").waitFor();
    expect(await page.locator("#agency-notice").innerText()).toContain("Chiang Mai shelter (admin test) added");
    const row = page.locator("#agencies tr", { hasText: "Chiang Mai shelter (admin test)" });
    await row.waitFor();
    expect(await row.innerText()).toContain("+6621234567");

    await row.getByRole("button", { name: "แก้ไข · Edit" }).click();
    await form.getByLabel("เวลาทำการ · Hours").fill("08:30-16:30");
    await form.getByRole("button", { name: "บันทึก · Save" }).click();
    await page.locator("#agency-notice", { hasText: "saved" }).waitFor();
    await page.locator("#agencies tr", { hasText: "08:30-16:30" }).waitFor();

    // Import: a file with one bad row is checked first and nothing is written.
    const dir = cc.dir;
    const bad = join(dir, "directory-bad.csv");
    writeFileSync(bad, ["name,type,province,endpoint,hours,categories", "Songkhla office (admin test),provincial_office,90,+6674100001,24h,", "Atlantis police (admin test),police,Atlantis,,24h,"].join("\n"));
    await page.locator("#import-file").setInputFiles(bad);
    await page.getByRole("button", { name: "ตรวจไฟล์ · Check the file" }).click();
    const preview = page.locator("#import-preview");
    await preview.locator('tr[data-line="3"]').waitFor();
    expect(await preview.innerText()).toContain("1 to add, 0 to update, 1 rows with errors");
    expect(await preview.locator('tr[data-line="3"]').innerText()).toContain("จังหวัดไม่ถูกต้อง · The province is not one we know");
    await screenshot(page, "admin-agencies-import-preview.png");
    expect((await cc.api("GET", "/api/agencies")).body.items.some((a: { name: string }) => a.name.startsWith("Songkhla office (admin test)"))).toBe(false);

    const clean = join(dir, "directory-clean.csv");
    writeFileSync(clean, ["name,type,province,endpoint,hours,categories", "Songkhla office (admin test),provincial_office,Songkhla,+6674100001,24h,"].join("\n"));
    await page.locator("#import-file").setInputFiles(clean);
    await page.getByRole("button", { name: "ตรวจไฟล์ · Check the file" }).click();
    await preview.getByText("1 to add, 0 to update, 0 rows with errors").waitFor();
    await page.getByRole("button", { name: "นำเข้า · Import" }).click();
    await preview.getByText("Imported: 1 added, 0 updated, 0 skipped").waitFor();
    await page.locator("#agencies tr", { hasText: "Songkhla office (admin test)" }).waitFor();

    await page.getByLabel("ค้นหา (ชื่อ จังหวัด เบอร์) · Search (name, province, number)").fill("songkhla");
    await expect.poll(() => page.locator("#agencies tr").count()).toBe(1);
    await page.getByLabel("ค้นหา (ชื่อ จังหวัด เบอร์) · Search (name, province, number)").fill("เชียงใหม่");
    await expect.poll(() => page.locator("#agencies tr").allInnerTexts()).toEqual([expect.stringContaining("Chiang Mai shelter (admin test)")]);
    await screenshot(page, "admin-agencies.png");

    const downloading = page.waitForEvent("download");
    await page.getByRole("button", { name: "ส่งออก CSV · Export CSV" }).click();
    const file = await downloading;
    expect(file.suggestedFilename()).toMatch(/^agencies-\d{4}-\d{2}-\d{2}\.csv$/);
    const path = await file.path();
    const { readFileSync } = await import("node:fs");
    const csv = readFileSync(path, "utf8");
    expect(csv.split(/\r?\n/)[0]).toBe("name,type,province,endpoint,hours,categories");
    expect(csv).toContain("Songkhla office (admin test),provincial_office,90,'+6674100001,24h,");
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it("changes line capacity, and says why a bad value is refused", async () => {
    const { page, problems } = await openAdmin("lines");
    await page.locator("#lines-capacity", { hasText: "10" }).waitFor();
    await page.getByLabel("คู่สายทั้งหมด · Total lines").fill("14");
    await page.getByRole("button", { name: "เปลี่ยน · Change" }).click();
    await page.locator("#lines-notice", { hasText: "Capacity set to 14 lines" }).waitFor();
    await page.locator("#lines-capacity", { hasText: "14" }).waitFor();
    expect((await cc.api("GET", "/api/stats")).body.lines.capacity).toBe(14);
    await page.getByLabel("คู่สายทั้งหมด · Total lines").evaluate((input: HTMLInputElement) => (input.min = ""));
    await page.getByLabel("คู่สายทั้งหมด · Total lines").fill("0");
    await page.getByRole("button", { name: "เปลี่ยน · Change" }).click();
    await page.locator("#lines-notice", { hasText: "Line capacity must be a whole number from 1 to 10,000" }).waitFor();
    expect(await page.locator("#lines-notice").innerText()).toContain("จำนวนคู่สายต้องเป็นจำนวนเต็ม");
    await screenshot(page, "admin-lines.png");
    expect(unexpected(problems, "/api/settings/lines")).toEqual([]);
    await page.context().close();
  });

  it("lists the backlog with filters and a search by last digits, hands an item to an agent and exports it", async () => {
    const thai = await cc.addAgent("Somchai", ["th"], { available: false });
    await cc.addAgent("Aye", ["my"], { available: false });
    // Three callers hang up in the queue: two Thai, one Burmese.
    for (const [from, keys] of [["+66811110001", ["1", "1"]], ["+66811114821", ["1", "2"]], ["+66822220003", ["2", "2"]]] as const) {
      const call = await cc.callIn(from, [...keys]);
      await cc.clock.advance(15_000);
      await call.hangup();
      await cc.settle();
    }
    const { page, problems } = await openAdmin("callbacks");
    const rows = page.locator("#backlog tr");
    await expect.poll(() => rows.count()).toBe(3);

    await page.getByLabel("ภาษา · Language").selectOption("my");
    await expect.poll(() => rows.allInnerTexts()).toEqual([expect.stringContaining("+66822220003")]);
    await page.getByLabel("ภาษา · Language").selectOption("");
    await page.getByLabel("เลขท้าย · Last digits").fill("4821");
    await page.getByRole("button", { name: "ค้นหา · Search" }).click();
    await expect.poll(() => rows.allInnerTexts()).toEqual([expect.stringContaining("+66811114821")]);
    await page.getByLabel("เลขท้าย · Last digits").fill("");
    await page.getByLabel("สาเหตุ · Reason").selectOption("abandoned_ivr");
    await page.locator("#backlog-count", { hasText: "0 items" }).waitFor();
    await page.getByLabel("สาเหตุ · Reason").selectOption("abandoned_queue");
    await expect.poll(() => rows.count()).toBe(3);

    const item = rows.filter({ hasText: "+66811114821" });
    // Only Thai speakers are offered for a Thai caller.
    const offered = await item.locator("select option").allInnerTexts();
    expect(offered.some((o) => o.startsWith("Somchai"))).toBe(true);
    expect(offered.some((o) => o.startsWith("Aye"))).toBe(false);
    await item.locator("select").selectOption({ label: offered.find((o) => o.startsWith("Somchai"))! });
    await item.getByRole("button", { name: "มอบให้ · Hand over" }).click();
    await page.locator("#backlog-notice", { hasText: "handed to Somchai" }).waitFor();
    await thai.socket.next("callbacks.changed");
    await rows.filter({ hasText: "+66811114821" }).getByText("Somchai").waitFor();
    expect(await rows.filter({ hasText: "+66811114821" }).innerText()).toContain("รับเรื่องแล้ว · Claimed");
    await screenshot(page, "admin-backlog.png");

    await page.getByLabel("สถานะ · Status").selectOption("claimed");
    await expect.poll(() => rows.count()).toBe(1);
    const downloading = page.waitForEvent("download");
    await page.getByRole("button", { name: "ส่งออก CSV · Export CSV" }).click();
    const { readFileSync } = await import("node:fs");
    const csv = readFileSync(await (await downloading).path(), "utf8").trim().split("\n");
    expect(csv).toHaveLength(2);
    expect(csv[1]).toContain("+66811114821");
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
