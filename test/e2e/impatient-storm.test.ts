import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { countAll, tables } from "../../db/storage.js";
import { findCall } from "../../src/calls/call-store.js";
import { findAgent } from "../../src/agents/presence.js";
import type { SimCall } from "../../src/carrier/index.js";
import { startCallCenter, type AgentHandle, type CallCenter } from "../support/call-center.js";
import { seededRandom } from "../../bench/lib/stats.js";

// 240 impatient callers on 40 lines with 8 agents, a third of whose answers drop at once (a browser that
// crashes, a phone put down): the server's figures must equal what the carrier itself saw, call by call.
const CALLERS = 240;
const AGENTS = 8;
const DROP_SHARE = 0.3;

let cc: CallCenter;
beforeAll(async () => {
  cc = await startCallCenter({ LINES: "40", OFFER_TIMEOUT_SECONDS: "10", WRAP_UP_SECONDS: "3" });
});
afterAll(async () => cc.stopAll());

describe("a storm of impatient callers and agents who drop", () => {
  it("answered, abandoned and overflow equal the carrier's own record exactly, and every missed number has one open item", async () => {
    const rand = seededRandom(1300);
    const agents: AgentHandle[] = [];
    const agentLegs = new Set<string>();
    for (let i = 0; i < AGENTS; i++) {
      const agent = await cc.addAgent(`Storm ${i}`, ["th"], { mode: "answer" });
      agents.push(agent);
      // Each answer either drops the moment it is in the conference, or talks 5–40 s and hangs up.
      cc.carrier.endpoint(agent.endpoint).onRing((leg) => {
        agentLegs.add(leg.sid);
        const drops = rand() < DROP_SHARE;
        const talk = 5_000 + Math.floor(rand() * 35_000);
        let decided = false;
        leg.onChange(() => {
          if (decided || leg.state !== "conference") return;
          decided = true;
          if (drops) queueMicrotask(() => void leg.hangup());
          else cc.clock.setTimer(talk, () => void leg.hangup());
        });
      });
    }

    const callers: Array<{ call: SimCall; number: string; patienceMs: number; since: number }> = [];
    let placed = 0;
    for (let second = 0; second < 400 && (placed < CALLERS || cc.carrier.liveCalls().length > 0); second++) {
      // About three arrivals a second, each choosing Thai and a topic at once.
      const arriving = placed < CALLERS ? Math.min(CALLERS - placed, Math.floor(rand() * 6)) : 0;
      const fresh: SimCall[] = [];
      for (let i = 0; i < arriving; i++, placed++) {
        const number = `+6685${String(placed).padStart(7, "0")}`;
        const call = cc.carrier.placeCall({ from: number });
        fresh.push(call);
        callers.push({ call, number, patienceMs: 5_000 + Math.floor(rand() * 60_000), since: cc.clock.now() });
      }
      await cc.settle();
      for (const key of ["1", "1"]) {
        for (const call of fresh) if (call.state === "gather") call.press(key);
        await cc.settle();
      }
      // The impatient hang up unless someone is with them in their conference.
      for (const c of callers) {
        if (c.call.ended || cc.clock.now() - c.since < c.patienceMs) continue;
        const room = c.call.conference ? cc.carrier.conference(c.call.conference) : undefined;
        if (!room || room.participants.length < 2) await c.call.hangup();
      }
      // Agents put on break by a dropped answer come back: the storm goes on.
      for (const a of agents) if ((await findAgent(cc.hotline.services.ctx.db, a.id))?.status === "break") a.socket.send({ type: "status", status: "available" });
      await cc.settle();
      await cc.clock.advance(1_000);
      await cc.settle();
    }
    for (const c of callers) if (!c.call.ended) await c.call.hangup();
    await cc.settle();

    expect(placed).toBe(CALLERS);
    const db = cc.hotline.services.ctx.db;
    let met = 0;
    let rejected = 0;
    for (const c of callers) {
      const carrierSaysMet = [...cc.carrier.metWith(c.call.sid)].some((leg) => agentLegs.has(leg));
      const outcome = (await findCall(db, c.call.sid))?.outcome;
      // Call by call: answered exactly when the carrier had caller and agent in one conference.
      expect({ sid: c.call.sid, answered: outcome === "answered" }).toEqual({ sid: c.call.sid, answered: carrierSaysMet });
      if (carrierSaysMet) met += 1;
      if (c.call.status === "busy") rejected += 1;
    }
    const today = (await cc.api("GET", "/api/stats")).body.today;
    expect(today.offered).toBe(CALLERS);
    expect(today.answered).toBe(met);
    expect(today.overflow).toBe(rejected);
    expect(today.abandoned).toBe(CALLERS - met - rejected);
    // The storm must have had all three kinds, and drops that were really put back.
    expect(met).toBeGreaterThan(0);
    expect(rejected).toBeGreaterThan(0);
    expect(CALLERS - met - rejected).toBeGreaterThan(0);
    const { events } = tables(db);
    const [requeued] = await db.select({ n: countAll() }).from(events).where(eq(events.type, "call.requeued"));
    expect(requeued?.n).toBeGreaterThan(0);

    const items = (await cc.api("GET", "/api/callbacks?status=open&limit=500")).body.items as Array<{ number: string }>;
    const open = new Map<string, number>();
    for (const i of items) open.set(i.number, (open.get(i.number) ?? 0) + 1);
    const missed: string[] = [];
    for (const c of callers) if ((await findCall(db, c.call.sid))?.outcome !== "answered") missed.push(c.number);
    expect(missed.filter((n) => open.get(n) !== 1)).toEqual([]);
    expect(open.size).toBe(missed.length);
    expect((await cc.api("GET", "/api/stats")).body.lines.inUse).toBe(0);
  }, 120_000);
});
