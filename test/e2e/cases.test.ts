import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq, sql } from "drizzle-orm";
import { dialect, tables } from "../../db/storage.js";
import { inTransaction } from "../../src/events/event-log.js";
import { sweepAbandonedImports } from "../../src/cases/agency-directory.js";
import { findCall } from "../../src/calls/call-store.js";
import { openCasesForNumber } from "../../src/cases/case-store.js";
import { referralFigures } from "../../src/cases/referral-service.js";
import { startCallCenter, type AgentHandle, type CallCenter } from "../support/call-center.js";
import { TEST_ADMIN_TOKEN } from "../support/hotline-fixture.js";

let cc: CallCenter;
beforeAll(async () => {
  cc = await startCallCenter({ WRAP_UP_SECONDS: "10", RECONCILE_SECONDS: "3600" });
  // src/hotline.ts seeds them at start; seeding again changes nothing.
});
afterAll(async () => cc.stopAll());

const db = () => cc.hotline.services.ctx.db;
/** The events of one type (by one user, if given), in the order they were written. */
async function eventsOfType(type: string, userId?: string) {
  const { events } = tables(db());
  return await db()
    .select()
    .from(events)
    .where(and(eq(events.type, type), userId === undefined ? undefined : eq(events.userId, userId)))
    .orderBy(events.id);
}
const HOUR = 3_600_000;

/** The directory a test brings: invented agencies, numbers in E.164 (one written as people do). */
const DIRECTORY = [
  "name,type,province,endpoint,hours,categories",
  "Rapid-response team (test),rapid_response,,+6621000001,24h,",
  "บ้านพักเด็กและครอบครัวกรุงเทพมหานคร (test),child_family_shelter,10,+66 2 100 0002,24h,",
  "Chiang Mai shelter (test),child_family_shelter,เชียงใหม่,+6653100003,08:30-16:30,violence_child|violence_women|pregnancy",
  "Chiang Mai office (test),provincial_office,50,+6653100004,08:30-16:30,",
  '"Chiang Mai police, city (test)",police,Chiang Mai,+6653100005,24h,',
  "Bad type (test),embassy,10,,,",
  "Bad province (test),police,Atlantis,,,",
  "Bad category (test),police,10,,,no_such_thing",
  "Bad endpoint (test),police,10,1300,,",
].join("\r\n");

async function importCsv(text: string, token = TEST_ADMIN_TOKEN, type = "text/csv; charset=utf-8") {
  const res = await fetch(`${cc.baseUrl}/api/agencies/import`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": type },
    body: text,
  });
  return { status: res.status, body: (await res.json()) as any };
}

type Agency = { id: number; name: string; type: string; province: string | null; endpoint: string | null; categories: string[] };
let byName: Record<string, Agency> = {};
let agent: AgentHandle;
let stranger: AgentHandle;

describe("the agency directory", () => {
  it("the staging table of an import whose process died is dropped by the sweep every start runs; one of an import still running is kept", async () => {
    const ctx = cc.hotline.services.ctx;
    const now = cc.clock.now();
    const stale = `agency_import_${now - 2 * HOUR}_deadbeef0001`;
    const running = `agency_import_${now - 60_000}_cafe00000002`;
    for (const name of [stale, running]) {
      const kind = dialect(ctx.db, { sqlite: sql`temporary`, postgres: sql`unlogged` });
      await inTransaction(ctx, (tx) => ctx.storage.rows(tx, sql`create ${kind} table ${sql.identifier(name)} (i integer primary key)`));
    }
    expect(await sweepAbandonedImports(ctx)).toEqual([stale]);
    expect(await sweepAbandonedImports(ctx)).toEqual([]);
    await inTransaction(ctx, (tx) => ctx.storage.rows(tx, sql`drop table ${sql.identifier(running)}`));
  });

  it("a CSV import creates the listed agencies and reports each bad row by its line", async () => {
    const res = await importCsv(DIRECTORY);
    expect(res.status).toBe(200);
    expect(res.body.created).toBe(5);
    expect(res.body.updated).toBe(0);
    expect(res.body.errors.map((e: { line: number }) => e.line)).toEqual([7, 8, 9, 10]);
    expect(res.body.errors[0].message).toMatch(/type/);
    expect(res.body.errors[1].message).toMatch(/Atlantis/);
    expect(res.body.errors[2].message).toMatch(/no_such_thing/);
    expect(res.body.errors[3].message).toMatch(/endpoint/);

    const list = await cc.api("GET", "/api/agencies");
    expect(list.status).toBe(200);
    byName = Object.fromEntries(list.body.items.map((a: Agency) => [a.name, a]));
    expect(byName["Rapid-response team (test)"]).toMatchObject({ type: "rapid_response", province: null });
    expect(byName["บ้านพักเด็กและครอบครัวกรุงเทพมหานคร (test)"]).toMatchObject({ endpoint: "+6621000002", province: "10" });
    expect(byName["Chiang Mai shelter (test)"]).toMatchObject({ province: "50", categories: ["violence_child", "violence_women", "pregnancy"] });
    expect(byName["Chiang Mai police, city (test)"]).toMatchObject({ type: "police", province: "50" });
  });

  it("importing the same directory again updates by name and province instead of duplicating", async () => {
    const res = await importCsv(DIRECTORY.replace("08:30-16:30,violence_child", "24h,violence_child"));
    expect(res.body).toMatchObject({ created: 0, updated: 5 });
    const shelter = (await cc.api("GET", "/api/agencies?province=50&type=child_family_shelter")).body;
    expect(shelter.items).toHaveLength(1);
    expect(shelter.items[0].hours).toBe("24h");
  });

  it("the directory filters by province, type and the category an agency takes, and exports CSV that imports back", async () => {
    const trafficking = (await cc.api("GET", "/api/agencies?province=50&category=trafficking")).body.items.map((a: Agency) => a.name);
    expect(trafficking.sort()).toEqual(["Chiang Mai office (test)", "Chiang Mai police, city (test)"]);
    const national = (await cc.api("GET", "/api/agencies?province=national")).body.items;
    expect(national.map((a: Agency) => a.name)).toEqual(["Rapid-response team (test)"]);

    const csv = await cc.api("GET", "/api/agencies.csv");
    expect(csv.status).toBe(200);
    const lines = (csv.body as string).trim().split("\r\n");
    expect(lines[0]).toBe("name,type,province,endpoint,hours,categories");
    expect(lines).toContain("\"Chiang Mai police, city (test)\",police,50,'+6653100005,24h,");
    expect((await importCsv(csv.body as string)).body).toMatchObject({ created: 0, updated: 5, errors: [] });
  });

  it("supervisors add and change agencies; a bad field is refused with its reason", async () => {
    const created = await cc.api("POST", "/api/agencies", {
      body: { name: "Songkhla office (test)", type: "provincial_office", province: "90", endpoint: "sip:songkhla@pbx.example.org", hours: "24h", categories: [] },
    });
    expect(created.status).toBe(201);
    const patched = await cc.api("PATCH", `/api/agencies/${created.body.id}`, { body: { active: false } });
    expect(patched.body.active).toBe(false);
    const bad = await cc.api("POST", "/api/agencies", { body: { name: "X", type: "police", province: "99", endpoint: "call me" } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/province/);
    expect(bad.body.message).toMatch(/endpoint/);
    expect((await cc.api("POST", "/api/agencies", { body: { name: "X", type: "police", province: null, categories: ["nope"] } })).status).toBe(400);
  });

  it("the import takes text/csv only and checks the header row", async () => {
    expect((await importCsv("name,kind\nX,police", TEST_ADMIN_TOKEN)).body).toMatchObject({ error: "bad_request", message: expect.stringMatching(/kind/) });
    const asJson = await cc.api("POST", "/api/agencies/import", { body: { name: "X" } });
    expect(asJson.status).toBe(400);
    expect(asJson.body.message).toMatch(/text\/csv/);
  });
});

describe("cases", () => {
  let callSid: string;
  let caseId: number;

  it("an agent's case linked to the call they took gets the caller's number, shown to supervisors with the call's outcome", async () => {
    agent = await cc.addAgent("Ploy", ["th"], { mode: "answer" });
    const call = await cc.callIn("+66812345001", ["1", "5"]);
    await cc.settle();
    callSid = call.sid;
    expect(await findCall(db(), callSid)).toMatchObject({ state: "connected", agentId: agent.id });

    const created = await cc.api("POST", "/api/cases", {
      token: agent.token,
      body: { category: "violence_child", province: "50", urgency: "urgent", callSid, people: [{ role: "victim", age: 12, sex: "female" }], notes: "neighbour reports a child left alone" },
    });
    expect(created.status).toBe(201);
    caseId = created.body.id;
    expect(created.body).toMatchObject({ status: "open", createdBy: agent.id, callerNumber: "+66******001" });

    await call.hangup();
    await cc.settle();
    await cc.clock.advance(10_000);
    await agent.socket.setStatus("offline");
    await cc.settle();

    const seen = await cc.api("GET", `/api/cases/${caseId}`);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ callerNumber: "+66812345001", people: [{ role: "victim", age: 12 }] });
    expect(seen.body.links).toMatchObject([{ callSid, call: { outcome: "answered", agentId: agent.id } }]);
    const audits = await eventsOfType("audit.case_viewed", "admin");
    expect(audits.map((e) => e.data.caseId)).toContain(caseId);
    // The case is part of the call's trail.
    const trail = (await cc.api("GET", `/api/calls/${callSid}`)).body.events.map((e: { type: string }) => e.type);
    expect(trail).toContain("case.created");

    // The agent who took the call reads and updates it too.
    expect((await cc.api("GET", `/api/cases/${caseId}`, { token: agent.token })).status).toBe(200);
    const patched = await cc.api("PATCH", `/api/cases/${caseId}`, { token: agent.token, body: { urgency: "crisis" } });
    expect(patched.body.urgency).toBe("crisis");
  });

  it("the screen-pop summary and the supervisor's search find the caller's open cases by number", async () => {
    expect(await openCasesForNumber(db(), "+66812345001")).toEqual([
      { id: caseId, category: "violence_child", province: "50", urgency: "crisis", status: "open", createdAt: expect.any(String), referralStatus: null },
    ]);
    const found = await cc.api("GET", "/api/cases?number=0812345001");
    expect(found.body.total).toBe(1);
    expect(found.body.items[0]).toMatchObject({ id: caseId, callerNumber: "+66812345001" });
    expect(found.body.items[0].people).toBeUndefined();
    const listed = (await eventsOfType("audit.case_viewed")).filter((e) => e.data.via === "list");
    expect(listed.map((e) => e.data.caseId)).toContain(caseId);
    expect((await cc.api("GET", "/api/cases?number=12")).status).toBe(400);
  });

  it("agents cannot reach other agents' cases, supervisors' lists or the directory's write side", async () => {
    stranger = await cc.addAgent("Dao", ["th"], { available: false });
    const t = { token: stranger.token };
    expect((await cc.api("GET", `/api/cases/${caseId}`, t)).status).toBe(404);
    expect((await cc.api("PATCH", `/api/cases/${caseId}`, { ...t, body: { notes: "x" } })).status).toBe(404);
    expect((await cc.api("GET", `/api/cases/${caseId}/suggested-agency`, t)).status).toBe(404);
    expect((await cc.api("POST", `/api/cases/${caseId}/referrals`, { ...t, body: {} })).status).toBe(404);
    expect((await cc.api("GET", "/api/cases", t)).status).toBe(403);
    expect((await cc.api("GET", "/api/referrals", t)).status).toBe(403);
    expect((await cc.api("POST", "/api/agencies", { ...t, body: { name: "X", type: "police", province: null } })).status).toBe(403);
    expect((await importCsv(DIRECTORY, stranger.token)).status).toBe(403);
    expect((await cc.api("POST", "/api/case-categories", { ...t, body: { code: "x_y", nameTh: "ทดสอบ", nameEn: "Test" } })).status).toBe(403);
    // A call someone else took cannot be pulled into one's own case.
    const own = await cc.api("POST", "/api/cases", { ...t, body: { category: "other", callSid } });
    expect(own.status).toBe(403);
    const mine = await cc.api("POST", "/api/cases", { ...t, body: { category: "other", channel: "walk_in" } });
    expect(mine.status).toBe(201);
    expect((await cc.api("POST", `/api/cases/${mine.body.id}/links`, { ...t, body: { callSid } })).status).toBe(403);
    // What agents may read: the directory and the categories.
    expect((await cc.api("GET", "/api/agencies", t)).status).toBe(200);
    expect((await cc.api("GET", "/api/case-categories", t)).status).toBe(200);
  });

  it("invalid cases are refused with 400 and the reason", async () => {
    const bad = await cc.api("POST", "/api/cases", { body: { category: "violence_child", province: "99", urgency: "panic" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe("bad_request");
    expect(bad.body.message).toMatch(/province/);
    expect(bad.body.message).toMatch(/urgency/);
    const unknown = await cc.api("POST", "/api/cases", { body: { category: "aliens" } });
    expect(unknown).toMatchObject({ status: 400, body: { message: expect.stringMatching(/unknown case category: aliens/) } });
    expect((await cc.api("POST", "/api/cases", { body: { category: "other", people: [{ role: "victim", age: -1 }] } })).status).toBe(400);
    expect((await cc.api("PATCH", `/api/cases/${caseId}`, { body: { status: "referred" } })).status).toBe(400);
    expect((await cc.api("PATCH", `/api/cases/${caseId}`, { body: {} })).status).toBe(400);
    expect((await cc.api("POST", `/api/cases/${caseId}/links`, { body: { callSid, callbackId: 1 } })).status).toBe(400);
    expect((await cc.api("POST", "/api/cases", { body: { category: "other", callSid: "CAnope" } })).body.message).toMatch(/CAnope not found/);
  });

  it("a call-back linked to a case without a number gives it the caller's number, once", async () => {
    const missed = await cc.callIn("+66812345009", ["1"]);
    await missed.hangup();
    await cc.settle();
    const [item] = (await cc.api("GET", "/api/callbacks?status=open&limit=500")).body.items.filter((i: { number: string }) => i.number === "+66812345009");
    const walkIn = (await cc.api("POST", "/api/cases", { body: { category: "violence_women", channel: "walk_in" } })).body;
    expect(walkIn.callerNumber).toBeNull();
    const first = await cc.api("POST", `/api/cases/${walkIn.id}/links`, { body: { callbackId: item.id } });
    expect(first.status).toBe(201);
    expect((await cc.api("POST", `/api/cases/${walkIn.id}/links`, { body: { callbackId: item.id } })).status).toBe(200);
    const seen = (await cc.api("GET", `/api/cases/${walkIn.id}`)).body;
    expect(seen.callerNumber).toBe("+66812345009");
    expect(seen.links).toMatchObject([{ callbackId: item.id, callback: { status: "open", reason: "abandoned_ivr" } }]);
  });

  it("supervisors add case categories that cases may then use", async () => {
    const added = await cc.api("POST", "/api/case-categories", { body: { code: "elder_neglect", nameTh: "การทอดทิ้งผู้สูงอายุ", nameEn: "Neglect of elderly people" } });
    expect(added.status).toBe(201);
    expect((await cc.api("POST", "/api/case-categories", { body: { code: "elder_neglect", nameTh: "x", nameEn: "x" } })).status).toBe(409);
    const codes = (await cc.api("GET", "/api/case-categories", { token: agent.token })).body.items.map((c: { code: string }) => c.code);
    expect(codes).toEqual(expect.arrayContaining(["violence_child", "pregnancy", "child_labour", "elder_neglect"]));
    expect((await cc.api("POST", "/api/cases", { body: { category: "elder_neglect", province: "10" } })).status).toBe(201);
  });
});

describe("suggested agency and referrals", () => {
  const newCase = async (body: Record<string, unknown>) => {
    const res = await cc.api("POST", "/api/cases", { body: { channel: "walk_in", ...body } });
    expect(res.status).toBe(201);
    return res.body.id as number;
  };
  const suggestion = async (id: number) => (await cc.api("GET", `/api/cases/${id}/suggested-agency`)).body;

  it("a crisis in Bangkok is suggested to the rapid-response team", async () => {
    const id = await newCase({ category: "violence_women", province: "10", urgency: "crisis" });
    expect(await suggestion(id)).toMatchObject({ agency: { name: "Rapid-response team (test)" }, rule: "crisis_bangkok_rapid_response", reason: expect.stringMatching(/Bangkok/) });
  });

  it("a crisis in a province is suggested to that province's shelter", async () => {
    const id = await newCase({ category: "trafficking", province: "50", urgency: "crisis" });
    expect(await suggestion(id)).toMatchObject({ agency: { name: "Chiang Mai shelter (test)" }, rule: "crisis_provincial_shelter" });
  });

  it("a matter that is not a crisis goes to the shelter when it takes the category, else to the provincial office", async () => {
    const pregnancy = await newCase({ category: "pregnancy", province: "50" });
    expect(await suggestion(pregnancy)).toMatchObject({ agency: { name: "Chiang Mai shelter (test)" }, rule: "shelter_takes_category" });
    const labour = await newCase({ category: "child_labour", province: "50", urgency: "urgent" });
    expect(await suggestion(labour)).toMatchObject({ agency: { name: "Chiang Mai office (test)" }, rule: "provincial_office" });
    const nowhere = await newCase({ category: "other", province: "83" });
    expect(await suggestion(nowhere)).toMatchObject({ agency: null, rule: null, reason: expect.stringMatching(/Phuket/) });
    const refused = await cc.api("POST", `/api/cases/${nowhere}/referrals`, { body: {} });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/agencyId/);
  });

  it("a referral follows the suggestion unless the agent picks another agency, and the override is recorded", async () => {
    const t0 = cc.clock.now();
    const id = await newCase({ category: "child_labour", province: "50" });
    const followed = await cc.api("POST", `/api/cases/${id}/referrals`, { body: { note: "sent by e-mail" } });
    expect(followed.status).toBe(201);
    expect(followed.body).toMatchObject({
      agency: { name: "Chiang Mai office (test)" },
      suggestedAgencyId: byName["Chiang Mai office (test)"]!.id,
      overridden: false,
      rule: "provincial_office",
      status: "sent",
      dueAt: new Date(t0 + 72 * HOUR).toISOString(),
      overdue: false,
    });
    const police = byName["Chiang Mai police, city (test)"]!.id;
    const overridden = await cc.api("POST", `/api/cases/${id}/referrals`, { body: { agencyId: police } });
    expect(overridden.body).toMatchObject({ agencyId: police, suggestedAgencyId: byName["Chiang Mai office (test)"]!.id, overridden: true, rule: "provincial_office" });
    expect((await cc.api("POST", `/api/cases/${id}/referrals`, { body: { agencyId: police } })).status).toBe(409);

    const detail = (await cc.api("GET", `/api/cases/${id}`)).body;
    expect(detail.status).toBe("referred");
    expect(detail.referrals.map((r: { overridden: boolean }) => r.overridden)).toEqual([false, true]);
    const created = (await eventsOfType("referral.created")).filter((e) => e.data.caseId === id);
    expect(created.map((e) => e.data.overridden)).toEqual([false, true]);
  });

  it("the agent who took the call refers their case, and the screen-pop shows the referral's status", async () => {
    const [item] = await openCasesForNumber(db(), "+66812345001");
    const res = await cc.api("POST", `/api/cases/${item!.id}/referrals`, { token: agent.token, body: {} });
    expect(res.body).toMatchObject({ agency: { name: "Chiang Mai shelter (test)" }, rule: "crisis_provincial_shelter" });
    expect((await openCasesForNumber(db(), "+66812345001"))[0]).toMatchObject({ status: "referred", referralStatus: "sent" });
  });

  it("following a referral up is the supervisors' work, as the README says: the agent who made it gets 403", async () => {
    const [item] = await openCasesForNumber(db(), "+66812345001");
    const [referral] = (await cc.api("GET", `/api/cases/${item!.id}`)).body.referrals;
    const tried = await cc.api("PATCH", `/api/referrals/${referral.id}`, { token: agent.token, body: { status: "accepted" } });
    expect(tried).toMatchObject({ status: 403, body: { error: "forbidden" } });
    expect((await cc.api("GET", `/api/cases/${item!.id}`)).body.referrals[0].status).toBe("sent");
  });

  it("a referral moves only along its allowed steps, with an event for each", async () => {
    const id = await newCase({ category: "pregnancy", province: "50" });
    const r = (await cc.api("POST", `/api/cases/${id}/referrals`, { body: {} })).body;
    const move = (status: string, note?: string) => cc.api("PATCH", `/api/referrals/${r.id}`, { body: { status, note } });
    expect((await move("in_progress")).status).toBe(409);
    expect((await move("accepted", "case manager assigned")).body).toMatchObject({ status: "accepted", note: expect.stringMatching(/case manager assigned/) });
    expect((await move("in_progress")).body.status).toBe("in_progress");
    expect((await move("returned", "not our province")).body.status).toBe("returned");
    expect((await move("accepted")).body.message).toMatch(/finished/);
    expect((await move("lost")).status).toBe(400);
    const changes = (await eventsOfType("referral.status_changed")).filter((e) => e.data.referralId === r.id);
    expect(changes.map((e) => `${e.data.from}>${e.data.to}`)).toEqual(["sent>accepted", "accepted>in_progress", "in_progress>returned"]);
    // Given back with nothing else out: the case is the hotline's again.
    expect((await cc.api("GET", `/api/cases/${id}`)).body.status).toBe("open");
  });

  it("a referral not closed within 72 hours is overdue for supervisors and on the wallboard figures", async () => {
    const before = await referralFigures(db(), cc.clock.now());
    expect(before.overdue).toBe(0);
    const id = await newCase({ category: "violence_elderly", province: "10", urgency: "crisis" });
    const late = (await cc.api("POST", `/api/cases/${id}/referrals`, { body: {} })).body;
    const done = (await cc.api("POST", `/api/cases/${await newCase({ category: "violence_disabled", province: "50" })}/referrals`, { body: {} })).body;
    expect((await cc.api("PATCH", `/api/referrals/${done.id}`, { body: { status: "closed" } })).status).toBe(200);
    expect((await cc.api("GET", "/api/referrals?overdue=true")).body.total).toBe(0);

    await cc.clock.advance(73 * HOUR);
    await cc.settle();
    const overdue = await cc.api("GET", "/api/referrals?overdue=true");
    expect(overdue.status).toBe(200);
    const ids = overdue.body.items.map((i: { id: number }) => i.id);
    expect(ids).toContain(late.id);
    expect(ids).not.toContain(done.id);
    expect(overdue.body.items.find((i: { id: number }) => i.id === late.id)).toMatchObject({
      overdue: true,
      agency: { name: "Rapid-response team (test)" },
      case: { id, urgency: "crisis" },
    });
    expect(overdue.body.items[0].note).toBeUndefined();
    expect(overdue.body.total).toBe(before.open + 1);
    expect(await referralFigures(db(), cc.clock.now())).toEqual({ open: before.open + 1, overdue: before.open + 1 });
    // Accepted is not done: still chased.
    await cc.api("PATCH", `/api/referrals/${late.id}`, { body: { status: "accepted" } });
    expect((await cc.api("GET", "/api/referrals?overdue=true&status=accepted")).body.items.map((i: { id: number }) => i.id)).toEqual([late.id]);
  });
});
