// What the hotline writes to its log for a caller's journey: one line per request, with the call SID
// to find the record by, and never the caller's number, the keys they pressed or a query string.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.js";
import { SIMULATOR_ACCOUNT_SID } from "../../src/hotline.js";
import { startHotline, type Running } from "../support/hotline-fixture.js";
import { newCallSid, signedPost } from "../support/signed-post.js";
import { parseTwiml } from "../support/twiml.js";

const lines: Array<Record<string, unknown>> = [];
const text: string[] = [];
let h: Running;
beforeAll(async () => {
  const log = createLogger("info", {
    write(line: string) {
      text.push(line);
      lines.push(JSON.parse(line) as Record<string, unknown>);
    },
  });
  h = await startHotline({ LOG_LEVEL: "info" }, { log });
});
afterAll(async () => h.stop());

const FROM = "+66891234567";

describe("the log of a call", () => {
  it("has one line per webhook, with the call SID and no number, keys or query", async () => {
    const sid = newCallSid();
    const body = { CallSid: sid, AccountSid: SIMULATOR_ACCOUNT_SID, From: FROM, To: "1300", CallStatus: "in-progress", Direction: "inbound" };
    lines.length = 0;
    text.length = 0;
    const first = await signedPost(h.baseUrl, "/twilio/voice", body);
    expect(first.status).toBe(200);
    const action = parseTwiml(first.body).find((v) => v.name === "Gather")!.attrs.action!;
    const step = await signedPost(h.baseUrl, action.slice(h.baseUrl.length), { ...body, Digits: "8" });
    expect(step.status).toBe(200);
    const forged = await signedPost(h.baseUrl, "/twilio/voice", { ...body, CallSid: newCallSid() }, { signature: "forged" });
    expect(forged.status).toBe(403);
    // A path is whatever a client asked for: a number in it is scrubbed too.
    const probe = await fetch(`${h.baseUrl}/api/calls/${encodeURIComponent(FROM)}`);
    expect(probe.status).toBe(401);

    const requests = lines.filter((l) => l.msg === "request");
    expect(requests.map((l) => [l.method, l.path, l.status])).toEqual([
      ["POST", "/twilio/voice", 200],
      ["POST", "/twilio/ivr", 200],
      ["POST", "/twilio/voice", 403],
      ["GET", "/api/calls/[number]", 401],
    ]);
    // The line pino would write for info({reqId, method, path, status, ms, callSid}, "request"), in its order.
    expect(Object.keys(requests[0]!)).toEqual(["level", "time", "service", "reqId", "method", "path", "status", "ms", "callSid", "msg"]);
    expect(requests[0]).toMatchObject({ level: 30, service: "hotline", reqId: expect.any(String) });
    expect(typeof requests[0]!.time).toBe("number");
    expect(requests[0]!.callSid).toBe(sid);
    expect(requests[1]!.callSid).toBe(sid);
    expect(typeof requests[0]!.ms).toBe("number");
    const all = text.join("\n");
    expect(all).not.toContain("891234567");
    expect(all).not.toContain("node=");
    expect(all).not.toMatch(/"Digits":"8"/);
    // The arrival's line is the request's own: no second line per call admitted.
    expect(lines.filter((l) => l.callSid === sid && l.msg !== "prompts degraded").map((l) => l.msg)).toEqual(["request", "request"]);
    // The language menu names Khmer and Lao in Thai (no voice or recording of their own): one line says so.
    const degraded = lines.filter((l) => l.msg === "prompts degraded" && l.callSid === sid);
    expect(degraded).toHaveLength(1);
    expect(degraded[0]!.degraded).toEqual([expect.stringMatching(/no km recording or voice, spoken in th/), expect.stringMatching(/no lo recording or voice, spoken in th/)]);
  });
});
