import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SIMULATOR_ACCOUNT_SID, SIMULATOR_AUTH_TOKEN } from "../../src/simulator-credentials.js";
import { refusedStart, STAND_IN_ACCOUNT, startChildServer, type ChildServer } from "../support/child-server.js";
import { freePort, TEST_ADMIN_TOKEN } from "../support/hotline-fixture.js";

// The real entry point (npm start) on a Twilio account, in its own process: what exists, what it refuses.

const dir = mkdtempSync(join(tmpdir(), "twilio-mode-"));
let port: number;
let simulatorPort: number;
let server: ChildServer;
// Nothing on these paths needs the carrier: a closed port makes any REST request fail fast.
const NO_CARRIER = "http://127.0.0.1:9";

beforeAll(async () => {
  port = await freePort();
  do simulatorPort = await freePort();
  while (simulatorPort === port);
  server = await startChildServer({ port, dbFile: join(dir, "twilio.db"), carrierOrigin: NO_CARRIER, env: { SIMULATOR_PORT: String(simulatorPort) } });
});
afterAll(async () => {
  await server?.kill();
  rmSync(dir, { recursive: true, force: true });
});

const base = () => `http://127.0.0.1:${port}`;
const reachable = (url: string) => fetch(url).then(() => true, () => false);

async function createAgent(endpoint: string): Promise<{ status: number; body: { error?: string; message?: string } }> {
  const res = await fetch(`${base()}/api/agents`, {
    method: "POST",
    headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "Ploy", languages: ["th"], endpoint }),
  });
  return { status: res.status, body: await res.json() };
}

describe("the hotline on a Twilio account", () => {
  it("starts without the built-in carrier: no test-call page, no /sim routes", async () => {
    expect((await fetch(`${base()}/health`)).status).toBe(200);
    expect(await reachable(`http://127.0.0.1:${simulatorPort}/`)).toBe(false);
    expect((await fetch(`${base()}/sim/state`)).status).toBe(404);
  });

  it("the same start in simulator mode does bring the carrier up (so the check above can fail)", async () => {
    const simPort = await freePort();
    const simulated = await startChildServer({ port: simPort, dbFile: join(dir, "simulated.db"), carrierOrigin: NO_CARRIER, env: { TELEPHONY: "simulator", SIMULATOR_PORT: String(simulatorPort) } });
    try {
      expect((await fetch(`http://127.0.0.1:${simulatorPort}/sim/state`)).status).toBe(200);
    } finally {
      await simulated.kill();
    }
  });

  it("refuses an agent identity Twilio cannot dial with a 400 naming the rule, and takes letters, digits and underscore", async () => {
    for (const endpoint of ["client:agent.one@x", "client:agent-one", "client:", `client:${"a".repeat(122)}`]) {
      const res = await createAgent(endpoint);
      expect(res.status, endpoint).toBe(400);
      expect(res.body.error).toBe("bad_request");
      expect(res.body.message).toContain("^[A-Za-z0-9_]{1,121}$");
    }
    for (const endpoint of ["client:agent_one", `client:${"A1_".repeat(40)}a`, "+66812345678", "sip:ploy@pbx.example.org"]) {
      expect((await createAgent(endpoint)).status, endpoint).toBe(201);
    }
  });
});

describe("twilio-mode startup errors", () => {
  const twilio = { TELEPHONY: "twilio", TWILIO_ACCOUNT_SID: STAND_IN_ACCOUNT.accountSid, TWILIO_AUTH_TOKEN: STAND_IN_ACCOUNT.authToken, DB_FILE: join(dir, "refused.db") };

  it("without PUBLIC_BASE_URL and with the simulator's credentials, the server exits with one message naming each", async () => {
    const p = await freePort();
    const { code, stderr } = await refusedStart({ ...twilio, PORT: String(p), PUBLIC_BASE_URL: "", TWILIO_ACCOUNT_SID: SIMULATOR_ACCOUNT_SID, TWILIO_AUTH_TOKEN: SIMULATOR_AUTH_TOKEN });
    expect(code).toBe(1);
    expect(stderr.trim().split("\n")).toEqual([
      "Invalid configuration:",
      "  TWILIO_ACCOUNT_SID: the carrier simulator's account is never accepted when TELEPHONY=twilio",
      "  TWILIO_AUTH_TOKEN: the carrier simulator's token is never accepted when TELEPHONY=twilio",
      "  PUBLIC_BASE_URL: required when TELEPHONY=twilio (the https:// origin Twilio reaches this server at)",
    ]);
  });

  it("refuses to run the simulator on a non-loopback HOST unless TELEPHONY=simulator is set", async () => {
    const p = await freePort();
    const exposed = await refusedStart({ PORT: String(p), HOST: "0.0.0.0", DB_FILE: join(dir, "refused.db"), TELEPHONY: "", TWILIO_ACCOUNT_SID: "" });
    expect(exposed.code).toBe(1);
    expect(exposed.stderr).toContain("HOST: 0.0.0.0 is not a loopback address; set TELEPHONY=simulator");
  });
});
