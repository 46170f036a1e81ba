import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findCall } from "../../src/calls/call-store.js";
import { startCallCenter, type CallCenter } from "../support/call-center.js";

let cc: CallCenter;
beforeAll(async () => {
  cc = await startCallCenter({ TWILIO_TIMEOUT_MS: "300", WRAP_UP_SECONDS: "5" });
});
afterAll(async () => cc.stopAll());

const status = async (id: string) => ((await cc.api("GET", "/api/agents")).body as Array<{ id: string; status: string }>).find((a) => a.id === id)?.status;

describe("a slow or failing carrier", () => {
  it("failed REST requests are retried with backoff and the agent's phone rings in the end", async () => {
    const agent = await cc.addAgent("Retry", ["th"]);
    cc.carrier.failRest({ times: 2, status: 503 });
    const caller = await cc.callIn("+66880000001", ["1", "1"]);
    expect(cc.carrier.endpoint(agent.endpoint).ringing()).toHaveLength(0);
    expect(cc.hotline.services.tasks.pending()).toBe(1);
    // Backoff runs on the clock: 0.5 s after the first failure, then 1 s after the second.
    await cc.clock.advance(500);
    await cc.settle();
    expect(cc.carrier.endpoint(agent.endpoint).ringing()).toHaveLength(0);
    await cc.clock.advance(1_000);
    await cc.settle();
    expect(cc.carrier.endpoint(agent.endpoint).ringing()).toHaveLength(1);
    // Meanwhile the caller's webhooks were answered: they are still in the waiting loop, not stuck.
    expect(caller.ended).toBe(false);
    expect(caller.state).not.toBe("fetching");
    cc.carrier.endpoint(agent.endpoint).answer();
    await cc.settle();
    expect((await findCall(cc.hotline.services.ctx.db, caller.sid))?.state).toBe("connected");
    await caller.hangup();
    await cc.settle();
    await cc.clock.advance(5_000);
    await agent.socket.setStatus("offline");
    await cc.settle();
  });

  it("when the agent's phone cannot be reached at all, the agent goes on break and the caller goes to the next agent", async () => {
    const first = await cc.addAgent("Unreachable", ["lo"]);
    cc.carrier.failRest({ times: 6, status: 500 });
    const caller = await cc.callIn("+66880000002", ["4", "1"]);
    await cc.clock.advance(60_000);
    await cc.settle();
    expect(await status(first.id)).toBe("break");
    expect((await findCall(cc.hotline.services.ctx.db, caller.sid))?.state).toBe("queued");
    const second = await cc.addAgent("Reachable", ["lo"]);
    await second.socket.next("call.offered");
    await cc.settle();
    expect(cc.carrier.endpoint(second.endpoint).ringing()).toHaveLength(1);
    await caller.hangup();
    await cc.settle();
    await second.socket.setStatus("offline");
    await cc.settle();
  });

  it("a REST request that hangs never holds up webhook answers", async () => {
    const agent = await cc.addAgent("Hang", ["vi"]);
    cc.carrier.failRest({ times: 1, hang: true });
    const caller = await cc.callIn("+66880000003", ["5", "1"]);
    // The request to ring the agent hangs; the caller keeps hearing their place in the queue.
    await cc.clock.advance(31_000);
    await cc.settle();
    const heard = caller.transcript.filter((p) => p.language === "vi-VN").length;
    await cc.clock.advance(31_000);
    await cc.settle();
    expect(caller.transcript.filter((p) => p.language === "vi-VN").length).toBeGreaterThan(heard);
    // After the client gives up on the hung request, the retry rings the agent.
    await cc.hotline.services.tasks.idle();
    await cc.clock.advance(1_000);
    await cc.settle();
    expect(cc.carrier.endpoint(agent.endpoint).calls.length).toBeGreaterThan(0);
    await caller.hangup();
    await cc.settle();
  });
});
