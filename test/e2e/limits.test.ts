// What one client can cost the server: sockets, slow requests, floods of dispositions, long notes and a
// national directory import — each bounded, the excess refused with a reason.
import { connect } from "node:net";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SIMULATOR_ACCOUNT_SID } from "../../src/hotline.js";
import { AgentSocket, startCallCenter, type CallCenter } from "../support/call-center.js";
import { newCallSid, signedPost } from "../support/signed-post.js";

let cc: CallCenter;
beforeAll(async () => {
  cc = await startCallCenter({
    WRAP_UP_SECONDS: "5",
    RECONCILE_SECONDS: "3600",
    WS_MAX_UNAUTHENTICATED: "3",
    WS_MAX_PER_USER: "2",
    HTTP_REQUEST_TIMEOUT_MS: "300",
    HTTP_CONNECTION_TIMEOUT_MS: "14000",
  });
});
afterAll(async () => cc.stopAll());

const wsUrl = () => `${cc.baseUrl.replace("http", "ws")}/ws`;
const closed = (s: AgentSocket) => (s.closeCode !== undefined ? Promise.resolve(s.closeCode) : new Promise<number>((r) => s.ws.once("close", (code) => r(code))));

describe("WebSocket limits", () => {
  it("sockets waiting to sign in beyond WS_MAX_UNAUTHENTICATED are closed with 4429; signing in frees a place", async () => {
    const waiting = await Promise.all([1, 2, 3].map(() => AgentSocket.open(wsUrl())));
    const extra = await AgentSocket.open(wsUrl());
    expect(await closed(extra)).toBe(4429);
    waiting[0]!.send({ type: "auth", token: cc.config.ADMIN_TOKEN });
    await waiting[0]!.next("hello");
    const next = await AgentSocket.open(wsUrl());
    next.send({ type: "auth", token: cc.config.ADMIN_TOKEN });
    expect((await next.next("hello")).type).toBe("hello");
    await Promise.all([...waiting, next].map((s) => s.close()));
  });

  it("a user's sockets beyond WS_MAX_PER_USER are closed with 4409; closing one frees a place", async () => {
    const agent = await cc.addAgent("Tabs", ["th"], { available: false });
    const second = await AgentSocket.open(wsUrl(), agent.token);
    await second.next("hello");
    const third = await AgentSocket.open(wsUrl(), agent.token);
    expect(await closed(third)).toBe(4409);
    await second.close();
    const again = await AgentSocket.open(wsUrl(), agent.token);
    await again.next("hello");
    await again.close();
  });
});
