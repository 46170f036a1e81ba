import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AgentSocket, startCallCenter, type CallCenter } from "../support/call-center.js";
import { jsonApi } from "../support/json-api.js";
import { startHotline, TEST_ADMIN_TOKEN, type Running } from "../support/hotline-fixture.js";
import { freshPgDatabase } from "../support/test-database.js";
import { POP_SHOWN, POP_SHOWN_WAIT_MS } from "../../src/realtime/pop-receipts.js";
import type { DomainEvent } from "../../src/events/event-log.js";

// Two instances on one database: Twilio's webhooks reach B; the agents' pages are connected to A. Routing
// runs on both, so either may offer a call (and ring the agent): B's offers reach the page on A only over
// LISTEN/NOTIFY, and B rings once A says it pushed the pop.

let url: string;
let b: CallCenter;
let a: Running;
const sockets: AgentSocket[] = [];
/** Every signal the instances send one another, heard on a connection of the test's own. */
const signals: Array<Record<string, unknown>> = [];
let listener: pg.Client;

beforeAll(async () => {
  url = await freshPgDatabase();
  b = await startCallCenter({ DATABASE_URL: url, WRAP_UP_SECONDS: "0" });
  a = await startHotline({ DATABASE_URL: url, TWILIO_API_BASE_URL: b.config.TWILIO_API_BASE_URL!, WRAP_UP_SECONDS: "0" });
  listener = new pg.Client({ connectionString: url });
  await listener.connect();
  listener.on("notification", (n) => signals.push((JSON.parse(n.payload ?? "{}") as { signal: Record<string, unknown> }).signal));
  await listener.query("LISTEN hotline_signals");
});
afterAll(async () => {
  await listener?.end();
  for (const s of sockets) await s.close();
  await a?.stop();
  await b?.stopAll();
});

/** The JSON API of instance A (started in beforeAll). */
const apiOnA = (method: string, path: string, body?: unknown) => jsonApi(a.baseUrl, TEST_ADMIN_TOKEN)(method, path, body);

/** The call.offered events an instance committed itself (the ones it rings for), from now on. */
function offersCommittedBy(center: Running): DomainEvent[] {
  const offers: DomainEvent[] = [];
  center.hotline.services.ctx.bus.subscribe((e) => {
    if (e.type === "call.offered") offers.push(e);
  });
  return offers;
}

/** An agent created through A, their page connected to A and set available. */
async function agentOnA(name: string, endpoint: string): Promise<AgentSocket> {
  b.carrier.endpoint(endpoint).setMode("manual");
  const created = await apiOnA("POST", "/api/agents", { name, languages: ["th"], endpoint });
  expect(created.status).toBe(201);
  const socket = await AgentSocket.open(`${a.baseUrl.replace("http", "ws")}/ws`, created.body.token);
  sockets.push(socket);
  await socket.next("hello");
  await socket.setStatus("available");
  return socket;
}

describe("the screen-pop reaches the agent before their phone rings, across instances", () => {
  it("an agent whose page is on A gets B's call.offered before B rings their phone, offer after offer", async () => {
    const endpoint = "client:popfirst";
    const socket = await agentOnA("Agent on A", endpoint);
    // What the page had received when the carrier rang the agent's phone, ring by ring.
    const poppedAtRing: string[][] = [];
    b.carrier.endpoint(endpoint).onRing(() => poppedAtRing.push(socket.of("call.offered").map((m) => (m.call as { callSid: string }).callSid)));
    const before = signals.length;
    const offeredByB = offersCommittedBy(b);

    const OFFERS = 20;
    for (let i = 0; i < OFFERS; i++) {
      const call = await b.callIn(`+668123450${String(i).padStart(2, "0")}`, ["1", "1"]);
      await b.carrier.endpoint(endpoint).waitForRing();
      await socket.next("call.offered", (m) => (m.call as { callSid: string }).callSid === call.sid);
      expect(poppedAtRing[i], `offer ${i + 1}: the phone rang before the page had the pop`).toContain(call.sid);
      // The caller gives up while the agent's phone rings: the offer is withdrawn, the agent free again.
      await call.hangup();
      await b.settle();
      await socket.next("call.ended", (m) => m.callSid === call.sid);
    }
    expect(poppedAtRing).toHaveLength(OFFERS);
    // A said it had pushed the pop of every offer B made (and of none of its own).
    expect(offeredByB.length).toBeGreaterThan(0);
    const shown = signals.slice(before).filter((s) => s.type === POP_SHOWN);
    expect(shown.map((s) => s.eventId).sort()).toEqual(offeredByB.map((e) => e.id).sort());
    await socket.setStatus("offline");
  });

  it("an agent with no page open anywhere (phone only) is still rung, after a bounded wait", async () => {
    const endpoint = "client:phoneonly";
    const socket = await agentOnA("Phone-only agent", endpoint);
    // The page set them available and closed: they stay available and answer on the phone alone.
    await socket.close();
    const before = signals.length;
    // Whichever instance offers the call rings: it notes when it committed the offer.
    let offeredAt: number | undefined;
    for (const center of [a, b]) {
      center.hotline.services.ctx.bus.subscribe((e) => {
        if (e.type === "call.offered") offeredAt ??= performance.now();
      });
    }
    const rung = b.carrier.endpoint(endpoint).waitForRing().then((leg) => ({ leg, at: performance.now() }));
    const call = await b.callIn("+66812349999", ["1", "1"]);
    const { leg, at } = await rung;
    expect(leg.status).toBe("ringing");
    // No page anywhere: nobody says the pop was shown, and the phone rings once the wait has run out.
    expect(signals.slice(before).filter((s) => s.type === POP_SHOWN)).toHaveLength(0);
    expect(offeredAt).toBeDefined();
    const waited = at - offeredAt!;
    expect(waited).toBeGreaterThanOrEqual(POP_SHOWN_WAIT_MS - 5);
    expect(waited).toBeLessThan(POP_SHOWN_WAIT_MS + 2_000);
    await call.hangup();
    await b.settle();
  });
});
