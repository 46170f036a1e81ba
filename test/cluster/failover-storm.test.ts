import { afterAll, describe, expect, it } from "vitest";
import { seededRandom } from "../../bench/lib/stats.js";
import {
  agentsTogether,
  expectBooksBalanced,
  placeCaller,
  settle,
  sleep,
  staffBothInstances,
  startCluster,
  type Agent,
  type Caller,
  type Cluster,
} from "./storm-cluster.js";

// 500 callers through HAProxy (deploy/haproxy.cfg) to two instances on one PostgreSQL, eight agents with
// their desktops on both; halfway through, one instance is killed (SIGKILL, no drain). The balancer's
// checks and retries and the carrier's connection overrides carry every webhook to the survivor, and
// the survivor's timers take over what the dead one had armed. Afterwards the books must equal the
// carrier's own record, call by call.

const CALLERS = 500;
const AGENTS = 8;
/** Three arrivals every 200 ms: 15 a second, a storm of some 35 s that overflows the 20 lines. */
const PER_ARRIVAL = 3;
const ARRIVAL_MS = 200;
const KILL_AFTER = CALLERS / 2;

let cluster: Cluster | undefined;
const agents: Agent[] = [];
afterAll(async () => {
  await Promise.all(agents.map((a) => a.close()));
  await cluster?.stop();
});

describe("a failover in the middle of a call storm", () => {
  it(`${CALLERS} calls through the balancer to two instances, one SIGKILLed halfway: every call accounted once as the carrier saw it, every miss one open item, no line leaked, no call offered to two agents at once, no webhook failed`, async () => {
    const started = Date.now();
    cluster = await startCluster({ LINES: "20", OFFER_TIMEOUT_SECONDS: "5", WRAP_UP_SECONDS: "0" });
    const { carrier, instances, balancer } = cluster;
    const [a, b] = instances;
    const rand = seededRandom(1300);
    const agentLegs = new Set<string>();
    const stopKeeping = await staffBothInstances(cluster, "Failover", AGENTS, rand, agents, agentLegs);
    const checksBefore = balancer.changes.length;
    const retriesBefore = balancer.retried.length;
    const stormStarted = Date.now();

    const callers: Caller[] = [];
    let killed: Promise<void> | undefined;
    let killedAt = 0;
    while (callers.length < CALLERS) {
      for (let i = 0; i < PER_ARRIVAL && callers.length < CALLERS; i++) {
        // Patience 1–5 s: enough to reach an agent when one is free, short enough to abandon a queue.
        callers.push(placeCaller(carrier, `+6686${String(callers.length).padStart(7, "0")}`, 1_000 + Math.floor(rand() * 4_000), agentLegs));
        if (callers.length === KILL_AFTER) {
          killedAt = callers.length;
          // Mid-storm: webhooks in flight at A, offers it made, timers it armed, sockets on it, all cut off.
          killed = a.kill();
        }
      }
      await sleep(ARRIVAL_MS);
    }
    await killed;
    const stormPlaced = Date.now();

    await settle(cluster, callers, 30_000);
    await stopKeeping();
    const settled = Date.now();

    // The kill happened, halfway, and the survivor carried on alone; the balancer always had it.
    expect(a.exits).toEqual([null]);
    expect(killedAt).toBe(KILL_AFTER);
    expect(b.process?.process.exitCode).toBeNull();
    expect(balancer.changes.slice(checksBefore)).toEqual([{ server: a.server, state: "DOWN" }]);
    // Requests the kill caught (in flight at A, or sent there before its checks failed) were replayed
    // on B, and B answered them.
    const replayed = balancer.retried.slice(retriesBefore);
    expect(replayed.length).toBeGreaterThan(0);
    expect(replayed.filter((r) => r.server !== b.server || r.status >= 400)).toEqual([]);
    // The desktops on the dead instance came back through the balancer.
    expect(agents.filter((x, i) => i % 2 === 0 && x.reconnections === 0).map((x) => x.endpoint)).toEqual([]);

    // No webhook failed, no application error; every call accounted exactly once, as the carrier's own
    // record has it; no line leaked; every miss one open item; no call offered to two agents at once.
    const { books, figures } = await expectBooksBalanced(cluster, callers, agentLegs);
    expect(books.answered.length + books.abandoned.length + books.overflow.length).toBe(CALLERS);
    // A storm with all three: some answered, some who gave up waiting, some turned away at the door.
    expect(books.answered.length).toBeGreaterThan(0);
    expect(books.abandoned.length).toBeGreaterThan(0);
    expect(books.overflow.length).toBeGreaterThan(0);
    expect(figures.today).toMatchObject({ offered: CALLERS, answered: books.answered.length, abandoned: books.abandoned.length, overflow: books.overflow.length });
    // Nor in the carrier's rooms were two agents with one caller.
    expect(agentsTogether(carrier, agentLegs)).toEqual([]);

    console.log(
      `failover storm: set-up ${stormStarted - started} ms, storm ${stormPlaced - stormStarted} ms, settled ${settled - stormPlaced} ms; ` +
        `answered ${books.answered.length}, abandoned ${books.abandoned.length}, overflow ${books.overflow.length}; ` +
        `${carrier.webhookAttempts.length} webhook tries, ${carrier.webhookAttempts.filter((t) => t.failure).length} of them failed and retried by the carrier, ` +
        `${replayed.length} requests replayed by the balancer`,
    );
  }, 150_000);
});
