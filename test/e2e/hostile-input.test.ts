import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { and, ne, notLike } from "drizzle-orm";
import WebSocket from "ws";
import { countAll, first, tables } from "../../db/storage.js";
import { twilioSignature } from "../../src/telephony/signature.js";
import { SIMULATOR_ACCOUNT_SID, SIMULATOR_AUTH_TOKEN } from "../../src/hotline.js";
import { startHotline, TEST_ADMIN_TOKEN, type Running } from "../support/hotline-fixture.js";
import { calledAt, parseTwiml } from "../support/twiml.js";

let h: Running;
beforeAll(async () => {
  h = await startHotline();
});
afterAll(async () => h.stop());

const PATHS = ["/twilio/voice", "/twilio/status", "/twilio/ivr?node=language-menu&attempt=0", "/twilio/ivr?node=nope&attempt=99", "/twilio/queue/wait", "/twilio/queue/key", "/twilio/queue/connect", "/twilio/agent/answer?entry=1", "/twilio/status?entry=abc", "/twilio/hold?call=x", "/twilio/callback/answer?entry=-1"];

const formValue = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom("", "CA" + "a".repeat(32), "completed", "ringing", "in-progress", "+66812345678", "anonymous", "1", "#", "*9", "99999999999999999999"));
const formBody = fc.dictionary(fc.oneof(fc.constantFrom("CallSid", "AccountSid", "From", "To", "CallStatus", "Digits", "SequenceNumber", "CallDuration"), fc.string({ minLength: 1, maxLength: 12 })), formValue, { maxKeys: 8 });

/** Lets the batched webhook trail of earlier requests reach the database before counting. */
const trailWritten = () => new Promise((resolve) => setImmediate(resolve));

async function rowCount(): Promise<number> {
  const db = h.hotline.services.ctx.db;
  const { calls, events, callbacks } = tables(db);
  const counts = await Promise.all([
    db.select({ n: countAll() }).from(calls),
    db.select({ n: countAll() }).from(events).where(and(notLike(events.type, "audit.%"), ne(events.type, "webhook"))),
    db.select({ n: countAll() }).from(callbacks),
  ]);
  return counts.reduce((sum, rows) => sum + first(rows)!.n, 0);
}

async function post(path: string, body: Record<string, string>, signature: string | undefined) {
  return h.hotline.app.inject({
    method: "POST",
    url: path,
    headers: { "content-type": "application/x-www-form-urlencoded", ...(signature === undefined ? {} : { "x-twilio-signature": signature }) },
    payload: new URLSearchParams(body).toString(),
  });
}

describe("hostile input", () => {
  it("random signed webhook bodies get a 4xx or valid TwiML, never a 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PATHS), formBody, async (path, body) => {
        const withAccount = { AccountSid: SIMULATOR_ACCOUNT_SID, ...body };
        const res = await post(path, withAccount, twilioSignature(SIMULATOR_AUTH_TOKEN, `${h.baseUrl}${path}`, withAccount));
        expect(res.statusCode).toBeLessThan(500);
        if (res.statusCode === 200) expect(() => parseTwiml(res.body)).not.toThrow();
        else expect(res.statusCode).toBe(400);
      }),
      { numRuns: 300 },
    );
  });

  it("a wrong or missing signature always gets 403 and never changes stored state", async () => {
    await trailWritten();
    const before = await rowCount();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PATHS), formBody, fc.option(fc.string({ maxLength: 40 }), { nil: undefined }), async (path, body, signature) => {
        const valid = twilioSignature(SIMULATOR_AUTH_TOKEN, `${h.baseUrl}${path}`, body);
        fc.pre(signature !== valid);
        const res = await post(path, body, signature);
        expect(res.statusCode).toBe(403);
      }),
      { numRuns: 200 },
    );
    await trailWritten();
    expect(await rowCount()).toBe(before);
  });

  it("random digits at every menu get TwiML back", async () => {
    const sid = `CA${"b".repeat(32)}`;
    const base = { CallSid: sid, AccountSid: SIMULATOR_ACCOUNT_SID, From: "+66812340000", To: "1300" };
    await post("/twilio/voice", base, twilioSignature(SIMULATOR_AUTH_TOKEN, `${h.baseUrl}/twilio/voice`, base));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom("language-menu", "main-menu", "returning"), fc.nat({ max: 3 }), fc.stringMatching(/^[0-9*#]{0,6}$/), async (node, attempt, digits) => {
        const path = `/twilio/ivr?node=${node}&attempt=${attempt}`;
        const body = { ...base, Digits: digits };
        const res = await post(path, body, twilioSignature(SIMULATOR_AUTH_TOKEN, `${h.baseUrl}${path}`, body));
        expect(res.statusCode).toBe(200);
        expect(parseTwiml(res.body).length).toBeGreaterThan(0);
      }),
      { numRuns: 150 },
    );
  });

  it("random API bodies get 4xx, never 5xx; a wrong token gets 401 and changes nothing", async () => {
    await trailWritten();
    const routes: Array<[string, string]> = [["POST", "/api/agents"], ["PUT", "/api/settings/lines"], ["POST", "/api/callbacks/1/claim"], ["POST", "/api/callbacks/1/call"], ["GET", "/api/callbacks?status=zzz"], ["GET", "/api/calls/nope"], ["POST", "/api/calls/x/transfers"], ["POST", "/api/transfers/1/complete"], ["GET", "/api/users"], ["POST", "/api/users"], ["PATCH", "/api/users/admin"], ["PATCH", "/api/users/nobody"], ["POST", "/api/users/nobody/token"], ["GET", "/api/audit?from=zzz&limit=-1"], ["GET", "/api/audit?action=call_viewed,,x&user="], ["GET", "/api/retention/preview"], ["DELETE", "/api/callers/0812"], ["DELETE", "/api/callers/%2B%2B"], ["PATCH", "/api/cases/1"], ["POST", "/api/callbacks/1/assign"], ["GET", "/api/callbacks?digits=1x"], ["GET", "/api/reports/intervals?from=x&to=y&by=week"], ["GET", "/api/reports/agents?from=2026-01-01T00:00:00Z"], ["GET", "/api/reports/staffing?hours=99"], ["GET", "/api/stats/history?minutes=-5"]];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), fc.jsonValue(), fc.boolean(), async ([method, url], body, goodToken) => {
        const before = await rowCount();
        const res = await h.hotline.app.inject({
          method: method as "POST",
          url,
          headers: { authorization: `Bearer ${goodToken ? TEST_ADMIN_TOKEN : "wrong-token"}`, "content-type": "application/json" },
          payload: method === "GET" ? undefined : JSON.stringify(body),
        });
        expect(res.statusCode).toBeLessThan(500);
        expect(res.statusCode).toBeGreaterThanOrEqual(goodToken ? 200 : 401);
        if (!goodToken) {
          expect(res.statusCode).toBe(401);
          expect(await rowCount()).toBe(before);
        }
        if (res.statusCode >= 400) expect(JSON.parse(res.body)).toHaveProperty("error");
      }),
      { numRuns: 200 },
    );
  });

  it("the hold music answers signed posts with no parameters, or only a few, with TwiML that loops back to it; unsigned ones get 403", async () => {
    const caller = `CA${"c".repeat(32)}`;
    const path = `/twilio/hold?call=${caller}`;
    const bodies: Record<string, string>[] = [{}, { AccountSid: SIMULATOR_ACCOUNT_SID }, { CallStatus: "in-progress" }];
    for (const body of bodies) {
      const res = await post(path, body, twilioSignature(SIMULATOR_AUTH_TOKEN, `${h.baseUrl}${path}`, body));
      expect(res.statusCode, JSON.stringify(body)).toBe(200);
      expect(res.headers["content-type"]).toMatch(/^text\/xml/);
      const verbs = parseTwiml(res.body);
      expect(verbs.some((v) => v.name === "Say" || v.name === "Play")).toBe(true);
      expect(verbs.at(-1)?.name).toBe("Redirect");
      expect(calledAt(verbs.at(-1)!.text)).toBe(`${h.baseUrl}${path}`);
    }
    expect((await post(path, {}, undefined)).statusCode).toBe(403);
    expect((await post(path, {}, twilioSignature("another-token", `${h.baseUrl}${path}`, {}))).statusCode).toBe(403);
  });

  it("random WebSocket frames get an error back or close the socket, and the server stays up", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(fc.string({ maxLength: 60 }), fc.jsonValue().map((v) => JSON.stringify(v)), fc.constantFrom('{"type":"status","status":"on_call"}', '{"type":"auth"}', '{"type":"disposition","callSid":1}')), { minLength: 1, maxLength: 4 }), fc.boolean(), async (frames, authed) => {
        const ws = new WebSocket(`${h.baseUrl.replace("http", "ws")}/ws`, authed ? { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } } : {});
        const replies: string[] = [];
        let closedWith: number | undefined;
        await new Promise<void>((resolve, reject) => {
          ws.once("open", () => resolve());
          ws.once("error", reject);
        });
        ws.on("message", (m) => replies.push(String(m)));
        const closed = new Promise<void>((resolve) => ws.once("close", (code) => ((closedWith = code), resolve())));
        for (const f of frames) ws.send(f);
        ws.send(JSON.stringify({ type: "ping" }));
        // Either a pong comes back (every bad frame answered in between) or the socket is closed as unauthorised.
        await Promise.race([closed, new Promise<void>((resolve) => ws.on("message", (m) => String(m).includes('"pong"') && resolve()))]);
        if (closedWith !== undefined) expect(closedWith).toBe(4401);
        else expect(replies.some((r) => r.includes('"pong"'))).toBe(true);
        ws.close();
        await closed;
      }),
      { numRuns: 60 },
    );
    const health = await fetch(`${h.baseUrl}/health`);
    expect(health.status).toBe(200);
  });
});
