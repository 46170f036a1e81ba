import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findCall } from "../../src/calls/call-store.js";
import { queueOrder } from "../../src/queue/queue-order.js";
import { waitingEntries } from "../../src/queue/queue-store.js";
import { createHotline } from "../../src/hotline.js";
import { createLogger } from "../../src/logger.js";
import { startCallCenter, type CallCenter } from "../support/call-center.js";

const dir = mkdtempSync(join(tmpdir(), "hotline-restart-"));
let cc: CallCenter;
afterAll(async () => {
  await cc?.carrier.close();
});

describe("restart", () => {
  it("after a restart the same calls are still waiting in the same order, and a call that ended while the server was down is closed from the carrier's records", async () => {
    cc = await startCallCenter({}, { dir });
    const order = [];
    for (const [i, keys] of [["1", "1"], ["1", "2"], ["1", "9"], ["2", "1"]].entries()) {
      order.push(await cc.callIn(`+6685000000${i}`, keys));
    }
    const db = () => cc.hotline.services.ctx.db;
    const before = (await waitingEntries(db())).sort(queueOrder).map((e) => e.callSid);
    expect(before).toEqual([order[2]!.sid, order[0]!.sid, order[1]!.sid, order[3]!.sid]);

    // The server stops; while it is down one caller hangs up (its status callback finds nobody).
    await cc.hotline.close();
    await order[1]!.hangup();
    await cc.carrier.idle();

    const restarted = await createHotline(cc.config, { clock: cc.clock, log: createLogger("silent") });
    await restarted.app.listen({ port: cc.config.PORT, host: "127.0.0.1" });
    cc.hotline = restarted;
    await cc.clock.advance(31_000);
    await restarted.start();
    await cc.settle();

    const after = (await waitingEntries(db())).sort(queueOrder).map((e) => e.callSid);
    expect(after).toEqual([order[2]!.sid, order[0]!.sid, order[3]!.sid]);
    expect(await findCall(db(), order[1]!.sid)).toMatchObject({ state: "ended", outcome: "abandoned_queue", holdsLine: false });
    expect((await restarted.services.figures()).lines.inUse).toBe(3);

    // Routing picks up where it left off: the emergency caller first.
    const agent = await cc.addAgent("After restart", ["th"]);
    const pop = await agent.socket.next("call.offered");
    expect((pop.call as { callSid: string }).callSid).toBe(order[2]!.sid);
    await agent.socket.close();
    await restarted.close();
  });
});
