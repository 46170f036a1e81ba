import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/clock.js";
import { loadConfig } from "../../src/config.js";
import { createHotline, type Hotline } from "../../src/hotline.js";
import { createLogger } from "../../src/logger.js";
import { startCallCenter, type CallCenter } from "../support/call-center.js";
import { TEST_ADMIN_TOKEN } from "../support/hotline-fixture.js";

// The agent desktop asks GET /api/voice-token how its phone rings; these pin the answers it relies on.

const ACCOUNT = `AC${"1".repeat(32)}`;
const KEY_SID = `SK${"2".repeat(32)}`;
const KEY_SECRET = "api-key-secret-for-tests";

/** A hotline on a real Twilio account (never started, so it calls nobody), with or without an API key. */
async function twilioHotline(dir: string, keys: boolean): Promise<Hotline> {
  const config = loadConfig({
    DB_FILE: join(dir, `${keys ? "keys" : "nokeys"}.db`),
    TELEPHONY: "twilio",
    PUBLIC_BASE_URL: "https://hotline.example.org",
    TWILIO_ACCOUNT_SID: ACCOUNT,
    TWILIO_AUTH_TOKEN: "auth-token-for-tests",
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    LOG_LEVEL: "silent",
  });
  const withKeys = keys ? { ...config, TWILIO_API_KEY_SID: KEY_SID, TWILIO_API_KEY_SECRET: KEY_SECRET } : config;
  return createHotline(withKeys, { clock: new ManualClock(), log: createLogger("silent") });
}

async function agentToken(h: Hotline, endpoint: string): Promise<string> {
  const res = await h.app.inject({ method: "POST", url: "/api/agents", headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` }, payload: { name: "Ploy", languages: ["th"], endpoint } });
  return res.json().token;
}

const voiceToken = (h: Hotline, token: string) => h.app.inject({ method: "GET", url: "/api/voice-token", headers: { authorization: `Bearer ${token}` } });

describe("GET /api/voice-token with the built-in carrier", () => {
  let cc: CallCenter;
  beforeAll(async () => {
    cc = await startCallCenter();
  });
  afterAll(async () => cc?.stopAll());

  it("points an agent to the carrier's test-call page, and is for agents only", async () => {
    const agent = await cc.addAgent("Nok", ["th"], { available: false });
    const res = await cc.api("GET", "/api/voice-token", { token: agent.token });
    expect(res).toEqual({ status: 200, body: { mode: "simulator", phoneUrl: `${cc.config.TWILIO_API_BASE_URL}/` } });
    expect((await cc.api("GET", "/api/voice-token")).status).toBe(403);
    expect((await cc.api("GET", "/api/voice-token", { token: "nobody" })).status).toBe(401);
  });
});

describe("GET /api/voice-token on a Twilio account", () => {
  const dir = mkdtempSync(join(tmpdir(), "voice-token-"));
  const hotlines: Hotline[] = [];
  afterAll(async () => {
    for (const h of hotlines) await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("mints a signed access token for the client identity with incoming calls allowed", async () => {
    const h = await twilioHotline(dir, true);
    hotlines.push(h);
    const res = await voiceToken(h, await agentToken(h, "client:ploy_k"));
    expect(res.statusCode).toBe(200);
    expect(res.headers["cache-control"]).toBe("no-store");
    const body = res.json();
    expect(body).toMatchObject({ mode: "twilio", identity: "ploy_k", expiresInSeconds: 3600 });
    const [header, payload, signature] = String(body.token).split(".");
    expect(createHmac("sha256", KEY_SECRET).update(`${header}.${payload}`).digest("base64url")).toBe(signature);
    const claims = JSON.parse(Buffer.from(payload!, "base64url").toString());
    expect(claims).toMatchObject({ iss: KEY_SID, sub: ACCOUNT, grants: { identity: "ploy_k", voice: { incoming: { allow: true } } } });
    expect(claims.exp - claims.iat).toBe(3600);
  });

  it("answers 503 without an API key, and needs no token for an agent whose phone is a number", async () => {
    const h = await twilioHotline(dir, false);
    hotlines.push(h);
    const res = await voiceToken(h, await agentToken(h, "client:ploy"));
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ error: "unavailable" });
    const phone = await voiceToken(h, await agentToken(h, "+66812345678"));
    expect(phone.json()).toEqual({ mode: "external", endpoint: "+66812345678" });
  });
});
