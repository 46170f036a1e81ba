// A step between menus (stepMenuCall): on PostgreSQL the steps of one turn are one UPDATE for many calls,
// on SQLite a statement of the driver's own without RETURNING. Each call must end up exactly as
// stepIvrCall, one drizzle statement per step, leaves it, and a step that does not match (a repeat, a late
// answer, an unknown call) must change nothing, also inside a batch.
import { describe, expect, it } from "vitest";
import { findCall, insertCall, stepIvrCall, stepMenuCall, type CallRow, type IvrStepWrite } from "../../src/calls/call-store.js";
import type { Storage } from "../../db/storage.js";
import { testEngine } from "../support/test-database.js";
import { openTestStorage } from "../support/test-storage.js";

const call = (sid: string, language: string | null): CallRow => ({
  sid,
  direction: "inbound",
  fromRaw: "+66812345678",
  fromE164: "+66812345678",
  toRaw: "1300",
  state: "ivr",
  outcome: null,
  language,
  topic: null,
  priority: "normal",
  ivrNode: "language-menu",
  ivrRetries: 0,
  ivrPath: [{ node: "language-menu", at: 1_000 }],
  holdsLine: true,
  carrierStatus: null,
  agentId: null,
  parentSid: null,
  callbackId: null,
  queuePosition: null,
  createdAt: 1_000,
  queuedAt: null,
  offeredAt: null,
  connectedAt: null,
  endedAt: null,
});

/** Steps of every kind a menu answer makes: a language chosen, a topic and priority set, nothing set, a retry. */
const steps: Array<Omit<IvrStepWrite, "sid">> = [
  { fromNode: "language-menu", fromAttempt: 0, node: "main-menu", retries: 0, set: { language: "my" }, input: "2", at: 2_000, queued: false },
  { fromNode: "language-menu", fromAttempt: 0, node: "main-menu", retries: 0, set: { topic: "child", priority: "emergency" }, input: "3", at: 2_001, queued: false },
  { fromNode: "language-menu", fromAttempt: 0, node: "language-menu", retries: 1, set: {}, input: "", at: 2_002, queued: false },
  { fromNode: "language-menu", fromAttempt: 0, node: "main-menu", retries: 0, set: { language: "km", topic: "labour" }, input: "4", at: 2_003, queued: false },
];

/** The calls the steps are for (the last two already have a language), and one that has left the menu. */
async function seed(storage: Storage, prefix: string): Promise<void> {
  await storage.transaction(async (tx) => {
    for (let i = 0; i < steps.length; i++) await insertCall(tx, call(`${prefix}${i}`, i >= 2 ? "th" : null));
    // A call that has already left the menu: a late answer for it must change nothing.
    await insertCall(tx, { ...call(`${prefix}left`, "th"), ivrNode: "main-menu" });
  });
}

describe(`a step between menus (${testEngine})`, () => {
  it("leaves each call as one statement per step would, and changes nothing where the call is not waiting in that menu", async () => {
    const storage = await openTestStorage();
    const { db } = storage;
    await seed(storage, "CA-one-");
    await seed(storage, "CA-many-");
    const one = [];
    for (let i = 0; i < steps.length; i++) one.push(await storage.single((d) => stepIvrCall(d, { ...steps[i]!, sid: `CA-one-${i}` })));
    one.push(await storage.single((d) => stepIvrCall(d, { ...steps[0]!, sid: "CA-one-left" })));

    // All at once, in one turn: on PostgreSQL one batch (a repeated answer for the same call waits for the next one).
    const queries: string[] = [];
    const pool = (db as unknown as { $client?: { query: (config: { name?: string }) => Promise<unknown> } }).$client;
    const query = pool?.query;
    if (pool && query) pool.query = (config) => (queries.push(String(config.name)), query.call(pool, config));
    const many = await Promise.all([
      ...steps.map((s, i) => storage.single((d) => stepMenuCall(d, { ...s, sid: `CA-many-${i}` }))),
      storage.single((d) => stepMenuCall(d, { ...steps[0]!, sid: "CA-many-left" })),
      storage.single((d) => stepMenuCall(d, { ...steps[0]!, sid: "CA-unknown" })),
      storage.single((d) => stepMenuCall(d, { ...steps[1]!, sid: "CA-many-0" })),
    ]);
    if (pool && query) pool.query = query;

    // A menu step answers the language its next menu is spoken in (the rest of the facts are in the row, compared below).
    expect(many.slice(0, 5)).toEqual(one.map((facts) => facts && { language: facts.language }));
    expect(one.slice(0, 4)).toEqual([
      { language: "my", topic: null, priority: "normal" },
      { language: null, topic: "child", priority: "emergency" },
      { language: "th", topic: null, priority: "normal" },
      { language: "km", topic: "labour", priority: "normal" },
    ]);
    expect(one[4]).toBeUndefined();
    expect(many[5]).toBeUndefined();
    // The repeat came after the first answer had taken CA-many-0 out of the language menu.
    expect(many[6]).toBeUndefined();
    for (const i of [0, 1, 2, 3, "left"]) {
      const { sid: _a, ...stepped } = (await findCall(db, `CA-one-${i}`))!;
      const { sid: _b, ...batched } = (await findCall(db, `CA-many-${i}`))!;
      expect(batched).toEqual(stepped);
    }
    expect((await findCall(db, "CA-many-3"))!.ivrPath).toEqual([
      { node: "language-menu", at: 1_000 },
      { node: "main-menu", at: 2_003, input: "4", language: "km" },
    ]);
    expect((await findCall(db, "CA-many-2"))!.ivrPath).toEqual([
      { node: "language-menu", at: 1_000 },
      { node: "language-menu", at: 2_002, input: "", language: "th" },
    ]);
    if (testEngine === "postgres") expect(queries).toEqual(["stepMenuCalls", "stepMenuCalls"]);
  });
});
