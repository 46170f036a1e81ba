// A database that cannot be written for a while: a backup holding it, a disk that stalls. Webhooks must
// still be answered well inside Twilio's 15 s, the caller must never be dropped, and nothing half-done
// may be stored. Here another connection holds the write lock; the server's wait is cut to 100 ms.
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SIMULATOR_ACCOUNT_SID } from "../../src/hotline.js";
import { startHotline, type Running } from "../support/hotline-fixture.js";
import { newCallSid, signedPost } from "../support/signed-post.js";
import { calledAt, parseTwiml, type Verb } from "../support/twiml.js";

let h: Running;
beforeAll(async () => {
  h = await startHotline({ DB_BUSY_TIMEOUT_MS: "100" });
});
afterAll(async () => h.stop());

const FROM = "+66890000123";

async function post(url: string, body: Record<string, string>): Promise<Verb[]> {
  const res = await signedPost(h.baseUrl, url.startsWith("http") ? url.slice(h.baseUrl.length) : url, body);
  expect(res.status).toBe(200);
  return parseTwiml(res.body);
}

describe("a database that cannot be written for a while", () => {
  it("the caller hears an apology and is taken back to the same menu; nothing half-done is stored", async () => {
    const sid = newCallSid();
    const body = { CallSid: sid, AccountSid: SIMULATOR_ACCOUNT_SID, From: FROM, To: "1300", CallStatus: "in-progress", Direction: "inbound" };
    const menu = await post("/twilio/voice", body);
    const action = menu.find((v) => v.name === "Gather")!.attrs.action!;

    const holder = new Database(h.config.DB_FILE);
    holder.exec("BEGIN IMMEDIATE");
    const apology = await post(action, { ...body, Digits: "8" });
    const redirect = apology.find((v) => v.name === "Redirect");
    expect(calledAt(redirect?.text ?? "")).toBe(`${h.baseUrl}/twilio/resume`);
    expect(apology.some((v) => v.name === "Say" || v.name === "Play")).toBe(true);
    expect(apology.some((v) => v.name === "Hangup")).toBe(false);
    holder.exec("ROLLBACK");
    const stored = holder.prepare("select state, ivr_node as node from calls where sid = ?").get(sid);
    expect(stored).toEqual({ state: "ivr", node: "language-menu" });

    // Once the database is free, Twilio follows the Redirect: the caller is back at the language menu,
    // and the same key now works.
    const again = await post(redirect!.text, body);
    expect(again.find((v) => v.name === "Gather")?.attrs.action).toBe(action);
    const main = await post(action, { ...body, Digits: "8" });
    expect(main.find((v) => v.name === "Gather")?.attrs.action).toContain("node=main-menu");
    expect(holder.prepare("select ivr_node as node, language from calls where sid = ?").get(sid)).toEqual({ node: "main-menu", language: "en" });
    holder.close();
  });

  it("a call arriving while the database is held is apologised to, then admitted when Twilio follows the Redirect", async () => {
    const sid = newCallSid();
    const body = { CallSid: sid, AccountSid: SIMULATOR_ACCOUNT_SID, From: FROM, To: "1300", CallStatus: "ringing", Direction: "inbound" };
    const holder = new Database(h.config.DB_FILE);
    holder.exec("BEGIN IMMEDIATE");
    const apology = await post("/twilio/voice", body);
    holder.exec("ROLLBACK");
    expect(holder.prepare("select sid from calls where sid = ?").get(sid)).toBeUndefined();
    const redirect = apology.find((v) => v.name === "Redirect")!;
    const menu = await post(redirect.text, { ...body, CallStatus: "in-progress" });
    expect(menu.find((v) => v.name === "Gather")).toBeDefined();
    expect(holder.prepare("select state from calls where sid = ?").get(sid)).toEqual({ state: "ivr" });
    // A leg the hotline placed is never taken for a new caller.
    const leg = await post("/twilio/resume", { ...body, CallSid: newCallSid(), Direction: "outbound-api" });
    expect(leg.map((v) => v.name)).toEqual(["Hangup"]);
    holder.close();
  });
});
