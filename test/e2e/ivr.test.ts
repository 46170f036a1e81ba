import Database from "better-sqlite3";
import { setImmediate as nextTurn } from "node:timers/promises";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Storage } from "../../db/storage.js";
import { findCall } from "../../src/calls/call-store.js";
import { startHotline, TEST_ADMIN_TOKEN, type Running } from "../support/hotline-fixture.js";
import { newCallSid, signedPost } from "../support/signed-post.js";
import { calledAt, flatten, parseTwiml, type Verb } from "../support/twiml.js";
import { SIMULATOR_ACCOUNT_SID } from "../../src/hotline.js";

let h: Running;
beforeAll(async () => {
  h = await startHotline();
});
afterAll(async () => h.stop());

const params = (sid: string, from: string, extra: Record<string, string> = {}) => ({
  CallSid: sid,
  AccountSid: SIMULATOR_ACCOUNT_SID,
  From: from,
  To: "1300",
  CallStatus: "in-progress",
  Direction: "inbound",
  ...extra,
});

/** Posts to a URL the server handed out (absolute), as Twilio would, and parses the TwiML. */
async function follow(url: string, body: Record<string, string>): Promise<Verb[]> {
  const path = url.slice(h.baseUrl.length);
  const res = await signedPost(h.baseUrl, path, body);
  expect(res.status).toBe(200);
  return parseTwiml(res.body);
}

async function dial(from: string): Promise<{ sid: string; twiml: Verb[] }> {
  const sid = newCallSid();
  return { sid, twiml: await follow(`${h.baseUrl}/twilio/voice`, params(sid, from)) };
}

const gatherOf = (twiml: Verb[]) => {
  const g = twiml.find((v) => v.name === "Gather");
  if (!g) throw new Error("no Gather");
  return g;
};

async function press(sid: string, from: string, twiml: Verb[], digits: string | undefined): Promise<Verb[]> {
  const g = gatherOf(twiml);
  const body = params(sid, from, digits === undefined ? {} : { Digits: digits });
  if (digits === undefined) {
    // No key: Twilio falls through to the Redirect after the Gather.
    const redirect = twiml.find((v) => v.name === "Redirect");
    return follow(redirect!.text, body);
  }
  return follow(g.attrs.action!, body);
}

/**
 * Holds back the next commit until `release`: on SQLite the webhooks' group commit, on PostgreSQL the next
 * transaction's COMMIT (each transaction commits on its own there).
 */
function holdNextCommit(storage: Storage): { reached: Promise<void>; release: () => void } {
  let reach!: () => void;
  const reached = new Promise<void>((resolve) => (reach = resolve));
  if (storage.engine === "sqlite") {
    const group = storage as unknown as { commitGroup(): void };
    const commit = group.commitGroup.bind(group);
    group.commitGroup = () => reach();
    return {
      reached,
      release() {
        group.commitGroup = commit;
        commit();
      },
    };
  }
  const pool = (storage.db as unknown as { $client: pg.Pool }).$client;
  const connect = pool.connect.bind(pool) as () => Promise<pg.PoolClient>;
  let letGo!: () => void;
  const released = new Promise<void>((resolve) => (letGo = resolve));
  const wrapped: Array<{ client: pg.PoolClient; query: pg.PoolClient["query"] }> = [];
  let held = false;
  const hold = async (): Promise<pg.PoolClient> => {
    const client = await connect();
    const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
    wrapped.push({ client, query: client.query });
    client.query = (async (...args: unknown[]) => {
      const text = typeof args[0] === "string" ? args[0] : (args[0] as { text?: string } | undefined)?.text;
      if (!held && text?.trim().toLowerCase() === "commit") {
        held = true;
        reach();
        await released;
      }
      return query(...args);
    }) as never;
    return client;
  };
  pool.connect = hold as never;
  return {
    reached,
    release() {
      pool.connect = connect as never;
      for (const w of wrapped) w.client.query = w.query;
      letGo();
    },
  };
}

/** A call's state and node as committed: read on a connection of the test's own, which sees nothing uncommitted. */
async function committedReader(): Promise<{ stored: (sid: string) => Promise<unknown>; close: () => Promise<void> }> {
  if (!h.config.DATABASE_URL) {
    const reader = new Database(h.config.DB_FILE, { readonly: true });
    return {
      stored: async (sid) => reader.prepare("select state, ivr_node as node from calls where sid = ?").get(sid),
      close: async () => {
        reader.close();
      },
    };
  }
  const client = new pg.Client({ connectionString: h.config.DATABASE_URL });
  await client.connect();
  return {
    stored: async (sid) => (await client.query("select state, ivr_node as node from calls where sid = $1", [sid])).rows[0],
    close: () => client.end(),
  };
}

const spoken = (twiml: Verb[]) => flatten(twiml).filter((v) => v.name === "Say" || v.name === "Play");

describe("the IVR, driven through signed webhooks", () => {
  const languages = [
    ["1", "th", "th-TH"], ["2", "my", null], ["3", "km", "th-TH"], ["4", "lo", "th-TH"],
    ["5", "vi", "vi-VN"], ["6", "zh", "cmn-CN"], ["7", "mfa", "ms-MY"], ["8", "en", "en-US"],
  ] as const;

  it("the language menu offers all eight languages inside one Gather, so callers can press at any time", async () => {
    const { twiml } = await dial("+66811110000");
    const g = gatherOf(twiml);
    expect(g.attrs.numDigits).toBe("1");
    const prompts = spoken([g]);
    // welcome + eight options, Burmese from a recording.
    expect(prompts).toHaveLength(9);
    expect(prompts.filter((p) => p.name === "Play").map((p) => calledAt(p.text))).toEqual([`${h.baseUrl}/audio/my/language-option.wav`]);
    expect(prompts.map((p) => p.attrs.language ?? "recording")).toEqual(["th-TH", "th-TH", "recording", "th-TH", "th-TH", "vi-VN", "cmn-CN", "ms-MY", "en-US"]);
  });

  for (const [key, code, sayLanguage] of languages) {
    it(`pressing ${key} gives the main menu in ${code}`, async () => {
      const from = `+668122200${key}0`;
      const { sid, twiml } = await dial(from);
      const menu = await press(sid, from, twiml, key);
      const prompts = spoken(menu);
      expect(prompts.length).toBeGreaterThan(5);
      if (sayLanguage) expect(prompts.every((p) => p.attrs.language === sayLanguage)).toBe(true);
      else expect(prompts.every((p) => p.name === "Play" && p.text.includes(`/audio/${code}/`))).toBe(true);
      const call = (await findCall(h.hotline.services.ctx.db, sid))!;
      expect(call).toMatchObject({ language: code, ivrNode: "main-menu", state: "ivr" });
    });
  }

  it("no input twice continues in Thai", async () => {
    const from = "+66813330000";
    const { sid, twiml } = await dial(from);
    const again = await press(sid, from, twiml, undefined);
    expect(gatherOf(again).attrs.action).toContain("attempt=1");
    const menu = await press(sid, from, again, undefined);
    expect(spoken(menu).every((p) => p.attrs.language === "th-TH")).toBe(true);
    expect(await findCall(h.hotline.services.ctx.db, sid)).toMatchObject({ language: "th", ivrNode: "main-menu" });
  });

  it("a wrong key apologises and repeats the menu", async () => {
    const from = "+66813330001";
    const { sid, twiml } = await dial(from);
    const again = await press(sid, from, twiml, "0");
    const first = spoken(again)[0]!;
    expect(first.attrs.language).toBe("th-TH");
    expect(first.text).not.toEqual(spoken(twiml)[0]!.text);
    expect(spoken(again)).toHaveLength(10);
  });

  it("a returning caller hears the shortcut in their language and skips the language menu", async () => {
    const from = "0814440000"; // national format: the same caller as +66814440000
    const first = await dial(from);
    await press(first.sid, from, first.twiml, "5");
    const second = await dial("+66814440000");
    const prompts = spoken(second.twiml);
    expect(prompts.every((p) => p.attrs.language === "vi-VN")).toBe(true);
    expect(await findCall(h.hotline.services.ctx.db, second.sid)).toMatchObject({ ivrNode: "returning", language: "vi" });
    const menu = await press(second.sid, "+66814440000", second.twiml, "1");
    expect(await findCall(h.hotline.services.ctx.db, second.sid)).toMatchObject({ ivrNode: "main-menu", language: "vi" });
    expect(spoken(menu).length).toBeGreaterThan(5);
  });

  it("the danger option makes the call an emergency and queues it with its language and topic", async () => {
    const from = "+66815550000";
    const { sid, twiml } = await dial(from);
    const menu = await press(sid, from, twiml, "8");
    const queued = await press(sid, from, menu, "9");
    expect(queued.some((v) => v.name === "Redirect" && calledAt(v.text).endsWith("/twilio/queue/wait"))).toBe(true);
    expect(await findCall(h.hotline.services.ctx.db, sid)).toMatchObject({ state: "queued", priority: "emergency", topic: "emergency", language: "en" });
  });

  it("a topic choice queues a normal call with that topic", async () => {
    const from = "+66815550001";
    const { sid, twiml } = await dial(from);
    const menu = await press(sid, from, twiml, "1");
    await press(sid, from, menu, "2");
    expect(await findCall(h.hotline.services.ctx.db, sid)).toMatchObject({ state: "queued", priority: "normal", topic: "trafficking" });
  });

  it("an answer leaves only once what it reports is committed, so a crash never loses a step Twilio was told of", async () => {
    const { stored, close } = await committedReader();
    // The commit is held back until the test lets it go.
    const { reached, release } = holdNextCommit(h.hotline.services.ctx.storage);
    let answered = false;
    const sid = newCallSid();
    const answer = signedPost(h.baseUrl, "/twilio/voice", params(sid, "+66810000077")).then((res) => ((answered = true), res));
    await reached;
    for (let turn = 0; turn < 20; turn++) await nextTurn();
    expect(answered).toBe(false);
    expect(await stored(sid)).toBeUndefined();
    release();
    const res = await answer;
    expect(res.status).toBe(200);
    expect(await stored(sid)).toEqual({ state: "ivr", node: "language-menu" });
    await close();
  });

  it("a caller who hangs up in the menu is stored with where they stopped, and the API shows their path", async () => {
    const from = "+66816660000";
    const { sid, twiml } = await dial(from);
    await press(sid, from, twiml, "3");
    await h.clock.advance(7_000);
    await follow(`${h.baseUrl}/twilio/status`, params(sid, from, { CallStatus: "completed", CallDuration: "7", SequenceNumber: "0" }));
    const res = await fetch(`${h.baseUrl}/api/calls/${sid}`, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
    expect(res.status).toBe(200);
    const call = await res.json();
    expect(call).toMatchObject({ callSid: sid, state: "ended", outcome: "abandoned_ivr", language: "km", from: "+66816660000" });
    expect(call.ivrPath.map((s: { node: string }) => s.node)).toEqual(["language-menu", "main-menu"]);
    expect(call.ivrPath[1].input).toBe("3");
    const webhooks = call.events.filter((e: { type: string }) => e.type === "webhook").map((e: { data: { path: string } }) => e.data.path);
    expect(webhooks).toEqual(["/twilio/voice", "/twilio/ivr", "/twilio/status"]);
    const ended = call.events.find((e: { type: string }) => e.type === "call.ended");
    expect(ended.data).toMatchObject({ from: "ivr", node: "main-menu", afterSeconds: 7 });
  });

  it("a repeated or late status callback changes nothing twice", async () => {
    const from = "+66817770000";
    const { sid } = await dial(from);
    const completed = params(sid, from, { CallStatus: "completed", SequenceNumber: "1" });
    const before = (await h.hotline.services.figures()).lines.inUse;
    await follow(`${h.baseUrl}/twilio/status`, completed);
    const db = h.hotline.services.ctx.db;
    const once = (await findCall(db, sid))!;
    expect(once).toMatchObject({ state: "ended", outcome: "abandoned_ivr", holdsLine: false });
    expect((await h.hotline.services.figures()).lines.inUse).toBe(before - 1);
    await h.clock.advance(5_000);
    await follow(`${h.baseUrl}/twilio/status`, completed);
    await follow(`${h.baseUrl}/twilio/status`, params(sid, from, { CallStatus: "ringing", SequenceNumber: "0" }));
    expect(await findCall(db, sid)).toEqual(once);
    expect((await h.hotline.services.figures()).lines.inUse).toBe(before - 1);
  });

  it("a repeated or late menu answer changes nothing twice and hears where the call is now", async () => {
    const from = "+66817770002";
    const { sid, twiml } = await dial(from);
    await h.clock.advance(2_000);
    const menu = await press(sid, from, twiml, "1");
    const db = h.hotline.services.ctx.db;
    const once = (await findCall(db, sid))!;
    expect(once.ivrPath).toEqual([
      { node: "language-menu", at: once.createdAt, input: "call" },
      { node: "main-menu", at: once.createdAt + 2_000, input: "1", language: "th" },
    ]);
    await h.clock.advance(2_000);
    // Twilio repeats the same answer, then a late one for the language menu with another key.
    expect(await press(sid, from, twiml, "1")).toEqual(menu);
    expect(await press(sid, from, twiml, "5")).toEqual(menu);
    expect(await findCall(db, sid)).toEqual(once);
    const res = await fetch(`${h.baseUrl}/api/calls/${sid}`, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
    const detail = await res.json();
    expect(detail.ivrPath.map((step: { node: string }) => step.node)).toEqual(["language-menu", "main-menu"]);
    // Every webhook is in the trail, the repeated and the late ones too.
    const trail = detail.events.filter((e: { type: string }) => e.type === "webhook").map((e: { data: { path: string } }) => e.data.path);
    expect(trail.filter((path: string) => path === "/twilio/ivr")).toHaveLength(3);
  });

  it("a menu answer for a call the hotline does not know hears goodbye and stores nothing", async () => {
    const sid = newCallSid();
    const res = await signedPost(h.baseUrl, "/twilio/ivr?node=language-menu&attempt=0", params(sid, "+66817770003", { Digits: "1" }));
    expect(res.status).toBe(200);
    expect(parseTwiml(res.body).some((v) => v.name === "Hangup")).toBe(true);
    expect(await findCall(h.hotline.services.ctx.db, sid)).toBeUndefined();
  });

  it("a repeated first webhook does not create a second call", async () => {
    const from = "+66817770001";
    const { sid } = await dial(from);
    const again = await follow(`${h.baseUrl}/twilio/voice`, params(sid, from));
    expect(gatherOf(again).attrs.action).toContain("node=language-menu");
    const figures = await h.hotline.services.figures();
    expect(figures.lines.inUse).toBeGreaterThan(0);
  });

  it("forged and unsigned requests get 403 and change nothing", async () => {
    const sid = newCallSid();
    const body = params(sid, "+66818880000");
    const forged = await signedPost(h.baseUrl, "/twilio/voice", body, { authToken: "not-the-token" });
    const unsigned = await signedPost(h.baseUrl, "/twilio/voice", body, { signature: null });
    const wrongHost = await signedPost(h.baseUrl, "/twilio/voice", body, { signature: "0/KCTR6DLpKmkAf8muzZqo1nDgQ=" });
    expect([forged.status, unsigned.status, wrongHost.status]).toEqual([403, 403, 403]);
    expect(await findCall(h.hotline.services.ctx.db, sid)).toBeUndefined();
  });

  it("malformed webhooks get 400 with a reason", async () => {
    const bad = await signedPost(h.baseUrl, "/twilio/voice", { CallSid: "nope", AccountSid: SIMULATOR_ACCOUNT_SID });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).message).toContain("CallSid");
    const badStatus = await signedPost(h.baseUrl, "/twilio/status", { CallSid: newCallSid(), AccountSid: SIMULATOR_ACCOUNT_SID, CallStatus: "exploded" });
    expect(badStatus.status).toBe(400);
  });
});
