import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dialect, tables } from "../../db/storage.js";
import { findCall } from "../../src/calls/call-store.js";
import { startCallCenter, type AgentHandle, type CallCenter } from "../support/call-center.js";

// Callers are victims: their numbers and what was noted about them are kept no longer than needed,
// and erased on request, while the hotline's figures keep their counts.
const DAY = 86_400_000;
let cc: CallCenter;
let agent: AgentHandle;
beforeAll(async () => {
  cc = await startCallCenter({ RETENTION_DAYS: "30", WRAP_UP_SECONDS: "5", PSEUDONYM_KEY: "a-test-key-that-is-long-enough-0123456789" });
  agent = await cc.addAgent("Keeper", ["th"], { mode: "answer" });
});
afterAll(async () => cc.stopAll());

/** Every text stored anywhere in the database, row by row: where a number or a note could hide. */
async function everythingStored(): Promise<string> {
  const { storage, db } = cc.hotline.services.ctx;
  // Every table of the hotline's own (not the migrations' bookkeeping).
  const names = await storage.rows<{ name: string }>(
    db,
    dialect(db, {
      sqlite: sql`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '__drizzle%'`,
      postgres: sql`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' and table_name not like '__drizzle%'`,
    }),
  );
  expect(names.map((t) => t.name)).toContain("calls");
  const dumps: string[] = [];
  for (const { name } of names) dumps.push(JSON.stringify(await storage.rows(db, sql`select * from ${sql.identifier(name)}`)));
  return dumps.join("\n");
}

/** A call answered by the agent, then a disposition with a note: a number and a note stored. */
async function answeredWithNote(from: string, note: string): Promise<string> {
  const call = await cc.callIn(from, ["1", "1"]);
  await cc.settle();
  expect((await findCall(cc.hotline.services.ctx.db, call.sid))?.state).toBe("connected");
  await call.hangup();
  await cc.settle();
  agent.socket.send({ type: "disposition", callSid: call.sid, outcome: "advice_given", note });
  await agent.socket.next("ack", (m) => m.of === "disposition", agent.socket.messages.length);
  await cc.clock.advance(6_000);
  await cc.settle();
  return call.sid;
}

async function missed(from: string): Promise<string> {
  const call = await cc.callIn(from, ["1"]);
  await call.hangup();
  await cc.settle();
  return call.sid;
}

const figures = async () => {
  const stats = (await cc.api("GET", "/api/stats")).body;
  const all = (await cc.api("GET", "/api/callbacks?status=open,claimed,reached,unreachable,not_callable&limit=500")).body;
  return { callbacks: stats.callbacks.open, items: all.total, outcomes: all.items.map((i: { status: string }) => i.status).sort() };
};

describe("retention", () => {
  it("anonymises exactly what the preview listed once data is older than the window: numbers hashed, notes and names gone, held cases kept, figures unchanged", async () => {
    const oldSid = await answeredWithNote("0850000001", "her uncle took her passport");
    const missedSid = await missed("+66850000002");
    const oldCase = await cc.api("POST", "/api/cases", { body: { category: "trafficking", callSid: oldSid, people: [{ name: "Mali", role: "victim" }], notes: "works at the fish factory" } });
    expect(oldCase.status).toBe(201);
    const heldSid = await answeredWithNote("+66850000003", "police report filed");
    const heldCase = await cc.api("POST", "/api/cases", { body: { category: "violence_women", callSid: heldSid, notes: "court date set" } });
    expect(heldCase.status).toBe(201);
    // Only a supervisor may put a case on legal hold.
    expect((await cc.api("PATCH", `/api/cases/${heldCase.body.id}`, { token: agent.token, body: { legalHold: true } })).status).toBe(403);
    expect((await cc.api("PATCH", `/api/cases/${heldCase.body.id}`, { body: { legalHold: true } })).body.legalHold).toBe(true);

    await cc.clock.advance(29 * DAY);
    await missed("+66850000004");
    await cc.clock.advance(DAY + 3_600_000);
    await cc.settle();
    const before = await figures();
    const preview = await cc.api("GET", "/api/retention/preview");
    expect(preview.status).toBe(200);
    // Old enough: the answered call and the missed one (its item is still open, so the item is not).
    expect(preview.body.ids.calls.sort()).toEqual([oldSid, missedSid].sort());
    expect(preview.body.ids.cases).toEqual([oldCase.body.id]);
    expect(preview.body.counts).toMatchObject({ calls: 2, cases: 1, dispositions: 1 });
    expect((await cc.api("GET", "/api/retention/preview", { token: agent.token })).status).toBe(403);

    // The daily run comes round.
    await cc.clock.advance(DAY);
    await cc.settle();
    const stored = await everythingStored();
    for (const gone of ["+66850000001", "0850000001", "her uncle took her passport", "works at the fish factory", "Mali"]) expect(stored).not.toContain(gone);
    // What was not listed is as it was: the held case and its call, the recent caller.
    for (const kept of ["+66850000003", "police report filed", "court date set", "+66850000004", "+66850000002"]) expect(stored).toContain(kept);
    // A repeat caller still counts as one: both rows of the old number carry the same hash.
    const old = (await findCall(cc.hotline.services.ctx.db, oldSid))!;
    expect(old.fromE164).toMatch(/^anon:/);
    expect(old.outcome).toBe("answered");
    expect((await cc.api("GET", "/api/retention/preview")).body.counts).toMatchObject({ calls: 0, cases: 0, dispositions: 0 });
    expect(await figures()).toEqual(before);
  });
});

describe("erasure", () => {
  it("a caller's number and notes are removed everywhere they were stored, their open item closed, the figures keep their counts, and the erasure is audited", async () => {
    const number = "+66850000009";
    const answered = await answeredWithNote(number, "she is hiding at her sister's");
    const theirCase = await cc.api("POST", "/api/cases", { body: { category: "violence_women", callSid: answered, people: [{ name: "Dao", role: "victim" }], notes: "sister lives in Hat Yai" } });
    expect(theirCase.status).toBe(201);
    await missed("0850000009");
    const before = await figures();
    expect(await everythingStored()).toContain(number);

    expect((await cc.api("DELETE", "/api/callers/0850000009", { token: agent.token })).status).toBe(403);
    expect((await cc.api("DELETE", "/api/callers/not-a-number")).status).toBe(400);
    const erased = await cc.api("DELETE", "/api/callers/0850000009");
    expect(erased.status).toBe(200);
    expect(erased.body.erased).toMatchObject({ calls: 2, callbacks: 1, cases: 1, dispositions: 1 });

    const stored = await everythingStored();
    for (const gone of [number, "0850000009", "she is hiding at her sister's", "sister lives in Hat Yai", "Dao"]) expect(stored).not.toContain(gone);
    const after = await figures();
    expect(after.items).toBe(before.items);
    expect(after.callbacks).toBe(before.callbacks - 1);
    const reopened = [...before.outcomes];
    reopened.splice(reopened.indexOf("open"), 1, "not_callable");
    expect(after.outcomes).toEqual(reopened.sort());
    const { db } = cc.hotline.services.ctx;
    const { events } = tables(db);
    const audit = await db.select({ data: events.data }).from(events).where(eq(events.type, "audit.caller_erased"));
    expect(audit).toHaveLength(1);
    expect(audit[0]!.data).toMatchObject({ subject: erased.body.subject, calls: 2 });
  });
});
