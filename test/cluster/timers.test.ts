import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openPgStorage, type PgStorage } from "../../db/pg-storage.js";
import { tables } from "../../db/storage.js";
import { ManualClock } from "../../src/clock.js";
import { AgentSocket, startCallCenter, type CallCenter } from "../support/call-center.js";
import { startHotline, TEST_ADMIN_TOKEN, type Running } from "../support/hotline-fixture.js";
import { freshPgDatabase } from "../support/test-database.js";
import { bounded, WAIT_BOUND_MS } from "../support/bounded.js";

// Two instances on one database and one clock: Twilio's webhooks reach B, the agent's page is on A.
// A wrap-up's end is a timer every instance arms; of all that fire it, one acts, also when the instance
// that started the wrap-up is gone.

const WRAP_UP_SECONDS = 30;
/** Polling a row another instance writes: bounded, so a lost timer fails with a reason. */
const POLL = { timeout: WAIT_BOUND_MS, interval: 20 };
const clock = new ManualClock();
let b: CallCenter;
let a: Running;
let storage: PgStorage;
const sockets: AgentSocket[] = [];
let bStopped = false;

beforeAll(async () => {
  const url = await freshPgDatabase();
  const env = { DATABASE_URL: url, WRAP_UP_SECONDS: String(WRAP_UP_SECONDS) };
  b = await startCallCenter(env, { clock });
  a = await startHotline({ ...env, TWILIO_API_BASE_URL: b.config.TWILIO_API_BASE_URL! }, { clock });
  storage = await openPgStorage(url, { onError: () => {} });
});
afterAll(async () => {
  for (const s of sockets) await s.close();
  await storage?.close();
  await a?.stop();
  if (bStopped) await b.carrier.close();
  else await b?.stopAll();
});

/** The agent's status events that ended a wrap-up by time, in order. */
async function wrapUpsEnded(agentId: string) {
  const { events } = tables(storage.db);
  const rows = await storage.db.select().from(events).where(eq(events.userId, agentId)).orderBy(events.id);
  return rows.filter((e) => e.type === "agent.status" && e.data.reason === "wrap_up_elapsed");
}

async function agentStatus(agentId: string): Promise<string> {
  const { users } = tables(storage.db);
  const [row] = await storage.db.select({ status: users.status }).from(users).where(eq(users.id, agentId));
  return row!.status;
}

describe("timers across instances", () => {
  it("a wrap-up ends once though both instances fire its timer, and still ends when the instance that started it is gone", async () => {
    const endpoint = "client:timers1";
    b.carrier.endpoint(endpoint).setMode("answer");
    const res = await fetch(`${a.baseUrl}/api/agents`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "Agent on A", languages: ["th"], endpoint }),
    });
    const agent = (await res.json()) as { id: string; token: string };
    const socket = await AgentSocket.open(`${a.baseUrl.replace("http", "ws")}/ws`, agent.token);
    sockets.push(socket);
    await socket.next("hello");
    await socket.setStatus("available");

    // A call on B, answered by the agent, ended by the caller: B writes the wrap-up; both instances arm its end.
    const first = await b.callIn("+66812000001", ["1", "1"]);
    await bounded(first.waitFor("conference"), "the first call in the conference");
    await first.hangup();
    await b.settle();
    await vi.waitFor(async () => expect(await agentStatus(agent.id)).toBe("wrap_up"), POLL);
    await clock.advance(WRAP_UP_SECONDS * 1000);
    await vi.waitFor(async () => expect(await agentStatus(agent.id)).toBe("available"), POLL);
    await b.settle();
    expect(await wrapUpsEnded(agent.id)).toHaveLength(1);

    // Again; then B, which wrote the wrap-up, goes away before it ends: A ends it, once.
    const second = await b.callIn("+66812000002", ["1", "1"]);
    await bounded(second.waitFor("conference"), "the second call in the conference");
    await second.hangup();
    await b.settle();
    await vi.waitFor(async () => expect(await agentStatus(agent.id)).toBe("wrap_up"), POLL);
    const seen = socket.messages.length;
    await b.stop();
    bStopped = true;
    await clock.advance(WRAP_UP_SECONDS * 1000);
    await vi.waitFor(async () => expect(await agentStatus(agent.id)).toBe("available"), POLL);
    expect(await wrapUpsEnded(agent.id)).toHaveLength(2);
    // The agent's page on A was told.
    const told = await socket.next("agent.status", (m) => m.status === "available", seen);
    expect(told.reason).toBe("wrap_up_elapsed");
  });
});
