import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { simulatorPort } from "../../src/config.js";
import { startCallCenter, type CallCenter } from "../support/call-center.js";

const run = promisify(execFile);
let cc: CallCenter;
let carrierPort: number;
beforeAll(async () => {
  cc = await startCallCenter();
  carrierPort = Number(new URL(cc.config.TWILIO_API_BASE_URL).port);
});
afterAll(async () => cc.stopAll());

/** scripts/call.ts in its own process, with only the given variables about where things are. */
async function callScript(env: Record<string, string>) {
  const { SIMULATOR_URL: _u, SIMULATOR_PORT: _s, PORT: _p, HOST: _h, ...rest } = process.env;
  return run("npx", ["tsx", "scripts/call.ts", "--from", "+66812225555", "--wait", "20"], { env: { ...rest, ...env }, timeout: 60_000 });
}

describe("scripts/call.ts finds the carrier as the server places it", { timeout: 90_000 }, () => {
  it("the carrier's port is SIMULATOR_PORT, else PORT + 1", () => {
    expect(simulatorPort({ PORT: 3000, SIMULATOR_PORT: undefined })).toBe(3001);
    expect(simulatorPort({ PORT: 8080, SIMULATOR_PORT: undefined })).toBe(8081);
    expect(simulatorPort({ PORT: 8080, SIMULATOR_PORT: 9000 })).toBe(9000);
  });

  it("with PORT changed it calls the carrier one port up, and with SIMULATOR_PORT it calls that one", async () => {
    const byPort = await callScript({ PORT: String(carrierPort - 1) });
    expect(byPort.stdout).toMatch(/^call CA[0-9a-f]{32} from \+66812225555/m);
    expect(byPort.stdout).toMatch(/final status: completed/);
    const byCarrierPort = await callScript({ PORT: "1", SIMULATOR_PORT: String(carrierPort) });
    expect(byCarrierPort.stdout).toMatch(/final status: completed/);
  });
});
