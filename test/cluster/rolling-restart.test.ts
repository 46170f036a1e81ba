import { afterAll, describe, expect, it } from "vitest";
import { seededRandom } from "../../bench/lib/stats.js";
import {
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

// A rolling restart, as README "Running two instances" describes it, in the middle of a storm: SIGTERM
// to one instance (it drains: /health answers 503 at once, it keeps serving for DRAIN_GRACE_MS while the
// balancer takes it out, requests in flight finish, pages are told to reconnect), wait for it to exit,
// start it again on the same port, wait until the balancer has put it back; then the same for the other.
// Nobody calling meanwhile may notice: no webhook fails, no call ends otherwise than the carrier says.

const AGENTS = 8;
/** Two arrivals every 200 ms: 10 a second, for as long as the restarts take and a little more. */
const PER_ARRIVAL = 2;
const ARRIVAL_MS = 200;
/**
 * The balancer notices a draining instance within its check interval (1 s) and one more failed check
 * (fastinter 250 ms, fall 2): 2 s of grace leave it time to, and keep the restart short.
 */
const DRAIN_GRACE_MS = 2_000;

let cluster: Cluster | undefined;
const agents: Agent[] = [];
afterAll(async () => {
  await Promise.all(agents.map((a) => a.close()));
  await cluster?.stop();
});

describe("a rolling restart during a call storm", () => {
  it("both instances restarted one after the other while calls pour in: no caller dropped, no webhook failed, no line leaked, every miss one open item", async () => {
    const started = Date.now();
    cluster = await startCluster({ LINES: "20", OFFER_TIMEOUT_SECONDS: "5", WRAP_UP_SECONDS: "0", DRAIN_GRACE_MS: String(DRAIN_GRACE_MS) });
    const { carrier, instances, balancer } = cluster;
    const [a, b] = instances;
    const rand = seededRandom(1301);
    const agentLegs = new Set<string>();
    const stopKeeping = await staffBothInstances(cluster, "Rolling", AGENTS, rand, agents, agentLegs);
    const checksBefore = balancer.changes.length;

    // The storm runs on its own until told to stop.
    const callers: Caller[] = [];
    let storming = true;
    const storm = (async () => {
      while (storming) {
        for (let i = 0; i < PER_ARRIVAL; i++) {
          callers.push(placeCaller(carrier, `+6687${String(callers.length).padStart(7, "0")}`, 1_000 + Math.floor(rand() * 4_000), agentLegs));
        }
        await sleep(ARRIVAL_MS);
      }
    })();
    const stormStarted = Date.now();

    await sleep(3_000);
    const beforeA = callers.length;
    const restartA = await cluster.restart(a);
    const betweenRestarts = callers.length;
    await sleep(1_000);
    const beforeB = callers.length;
    const restartB = await cluster.restart(b);
    const afterB = callers.length;
    await sleep(3_000);
    storming = false;
    await storm;
    const stormEnded = Date.now();

    await settle(cluster, callers, 30_000);
    await stopKeeping();
    const settled = Date.now();

    // Each instance drained and exited cleanly, after the balancer had taken it out, and came back; the
    // balancer had an instance to send to all along, and calls kept coming during both restarts.
    expect(a.exits).toEqual([0]);
    expect(b.exits).toEqual([0]);
    expect(restartA.outAfterMs).toBeLessThan(restartA.exitedAfterMs);
    expect(restartB.outAfterMs).toBeLessThan(restartB.exitedAfterMs);
    expect(balancer.changes.slice(checksBefore)).toEqual([
      { server: a.server, state: "DOWN" },
      { server: a.server, state: "UP" },
      { server: b.server, state: "DOWN" },
      { server: b.server, state: "UP" },
    ]);
    expect(betweenRestarts).toBeGreaterThan(beforeA);
    expect(afterB).toBeGreaterThan(beforeB);
    // Every desktop was on an instance that restarted, and came back through the balancer.
    expect(agents.filter((x) => x.reconnections === 0).map((x) => x.endpoint)).toEqual([]);

    // No webhook failed and no caller was dropped (nobody heard an application error); every call ended as
    // the carrier's record says, stored and ended once; no line leaked; every miss one open item; no call
    // offered to two agents at once.
    const { books } = await expectBooksBalanced(cluster, callers, agentLegs);
    expect(books.answered.length).toBeGreaterThan(0);

    const lapsed = await cluster.db.query("select count(*)::int as n from events where type = 'offer.missed' and data->>'reason' = 'timeout'");
    console.log(
      `rolling restart: set-up ${stormStarted - started} ms, storm ${stormEnded - stormStarted} ms, settled ${settled - stormEnded} ms; ` +
        `A out after ${restartA.outAfterMs} ms, exited after ${restartA.exitedAfterMs} ms; B out after ${restartB.outAfterMs} ms, exited after ${restartB.exitedAfterMs} ms; ` +
        `${callers.length} calls: answered ${books.answered.length}, abandoned ${books.abandoned.length}, overflow ${books.overflow.length}; ` +
        `${balancer.retried.length} requests replayed by the balancer; ${lapsed.rows[0].n} offers lapsed unanswered`,
    );
  }, 150_000);
});
