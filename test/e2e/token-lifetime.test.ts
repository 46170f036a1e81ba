import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/clock.js";
import { AgentSocket, startCallCenter, type CallCenter } from "../support/call-center.js";
import { TEST_ADMIN_TOKEN } from "../support/hotline-fixture.js";

const DAY = 86_400_000;
const dir = mkdtempSync(join(tmpdir(), "hotline-tokens-"));
const clock = new ManualClock();
let cc: CallCenter | undefined;
afterAll(async () => {
  await cc?.stopAll();
  rmSync(dir, { recursive: true, force: true });
});

/** The same database and clock, started again with these settings. */
async function restart(env: Record<string, string>): Promise<CallCenter> {
  await cc?.stopAll();
  cc = await startCallCenter(env, { dir, clock });
  return cc;
}

describe("token lifetime", () => {
  it("with TOKEN_TTL_DAYS a token older than that is refused with token_expired, over HTTP and on the socket; a rotated one starts again", async () => {
    const c = await restart({ TOKEN_TTL_DAYS: "30" });
    const kept = await c.addAgent("Kept", ["th"], { available: false });
    const renewed = await c.addAgent("Renewed", ["th"], { available: false });
    await clock.advance(20 * DAY);
    const rotated = await c.api("POST", `/api/users/${renewed.id}/token`);
    expect(rotated.body.tokenExpiresAt).toBe(new Date(clock.now() + 30 * DAY).toISOString());

    await clock.advance(10 * DAY - 1_000);
    expect((await c.api("GET", "/api/callbacks", { token: kept.token })).status).toBe(200);
    await clock.advance(1_000);
    expect(await c.api("GET", "/api/callbacks", { token: kept.token })).toMatchObject({ status: 401, body: { error: "token_expired" } });
    const socket = await AgentSocket.open(`${c.baseUrl.replace("http", "ws")}/ws`, kept.token);
    expect(await socket.closed).toBe(4401);
    expect(socket.closeReason).toBe("token_expired");
    expect((await c.api("GET", "/api/callbacks", { token: rotated.body.token })).status).toBe(200);
    // The bootstrap admin's token ages like any other: a new ADMIN_TOKEN (or a rotation) renews it.
    expect((await c.api("GET", "/api/users")).status).toBe(401);
  });

  it("the bootstrap admin's token can be rotated; a restart with the same ADMIN_TOKEN does not revive it, a new ADMIN_TOKEN does", async () => {
    let c = await restart({ ADMIN_TOKEN: "first-admin-token-0123456789" });
    const rotated = await c.api("POST", "/api/users/admin/token", { token: "first-admin-token-0123456789" });
    expect(rotated.status).toBe(200);
    expect((await c.api("GET", "/api/users", { token: "first-admin-token-0123456789" })).status).toBe(401);

    c = await restart({ ADMIN_TOKEN: "first-admin-token-0123456789" });
    expect((await c.api("GET", "/api/users", { token: "first-admin-token-0123456789" })).status).toBe(401);
    expect((await c.api("GET", "/api/users", { token: rotated.body.token })).status).toBe(200);

    c = await restart({ ADMIN_TOKEN: TEST_ADMIN_TOKEN });
    expect((await c.api("GET", "/api/users")).status).toBe(200);
    expect((await c.api("GET", "/api/users", { token: rotated.body.token })).status).toBe(401);
  });
});
