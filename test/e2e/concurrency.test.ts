import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { tables } from "../../db/storage.js";
import { startCallCenter, type CallCenter } from "../support/call-center.js";

let cc: CallCenter;
beforeAll(async () => {
  cc = await startCallCenter({ LINES: "100", WRAP_UP_SECONDS: "5" });
});
afterAll(async () => cc.stopAll());

describe("a burst of calls", () => {
  it("200 calls at once on 100 lines with 20 agents: exactly 100 admitted, 100 overflowed, no call given to two agents, every line freed", async () => {
    const languages = ["th", "my", "km", "lo", "vi", "zh", "mfa", "en"];
    for (let i = 0; i < 20; i++) await cc.addAgent(`Agent ${i}`, [languages[i % 8]!, "th"], { mode: "answer" });
    const placed = Array.from({ length: 200 }, (_, i) => cc.carrier.placeCall({ from: `+6684${String(i).padStart(7, "0")}` }));
    await cc.settle();
    const db = cc.hotline.services.ctx.db;
    const { calls, events } = tables(db);
    const rows = (await db.select().from(calls)).filter((c) => placed.some((p) => p.sid === c.sid));
    expect(rows.filter((c) => c.outcome === "overflow")).toHaveLength(100);
    expect(rows.filter((c) => c.holdsLine)).toHaveLength(100);
    expect((await cc.hotline.services.figures()).lines).toEqual({ capacity: 100, inUse: 100 });

    // The admitted callers choose languages and topics together, and wait for the 20 agents.
    const admitted = placed.filter((p) => !p.ended);
    admitted.forEach((c, i) => c.press(String((i % 8) + 1)));
    await cc.settle();
    admitted.forEach((c) => c.press("5"));
    await cc.settle();
    const connected = await db.select().from(events).where(eq(events.type, "call.connected"));
    expect(connected.length).toBe(20);
    expect(new Set(connected.map((e) => e.callSid)).size).toBe(connected.length);
    expect(new Set(connected.map((e) => e.userId)).size).toBe(connected.length);

    // Everyone hangs up; calls ringing or talking end too.
    await Promise.all(admitted.map((c) => c.hangup()));
    await cc.settle();
    await cc.clock.advance(10_000);
    await cc.settle();
    expect((await cc.hotline.services.figures()).lines.inUse).toBe(0);
    const connectedAgain = await db.select().from(events).where(eq(events.type, "call.connected"));
    expect(new Set(connectedAgain.map((e) => e.callSid)).size).toBe(connectedAgain.length);
    const final = (await db.select().from(calls)).filter((c) => admitted.some((p) => p.sid === c.sid));
    expect(final.every((c) => c.state === "ended")).toBe(true);
    expect(final.filter((c) => c.outcome === "answered").length + final.filter((c) => c.outcome?.startsWith("abandoned")).length).toBe(100);
  });
});
