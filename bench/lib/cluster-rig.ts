// Two hotline instances on one PostgreSQL behind HAProxy, and the built-in carrier, for section "cluster".
//
// - PostgreSQL: a cluster of the bench's own (test/support/postgres.ts: initdb and pg_ctl in a temporary
//   directory), one database; the first instance migrates it.
// - The instances: servers/hotline-server.ts in two child processes (each its own core when there are
//   two, its own heap), configured like `npm start` with DATABASE_URL, LOG_LEVEL=info to /dev/null.
// - HAProxy runs the project's deploy/haproxy.cfg (test/support/haproxy.ts changes only the addresses):
//   the carrier's webhooks and the API go through it; its log (one line per request) gives each
//   webhook's time at the balancer.
// - Time: the carrier and both instances run on ManualClocks moved together, tick by tick, as in the
//   SQLite storm. A tick has settled when no HTTP is in flight, neither instance has work running, and
//   each has heard (LISTEN/NOTIFY) every event the other committed, and done what it started.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSimulator, type Carrier } from "../../src/carrier/index.js";
import { ManualClock } from "../../src/clock.js";
import { envSchema } from "../../src/config.js";
import { SIMULATOR_ACCOUNT_SID, SIMULATOR_AUTH_TOKEN, SIMULATOR_HOTLINE_NUMBER } from "../../src/hotline.js";
import type { LiveFigures } from "../../src/stats/live-figures.js";
import { connectionOverrides } from "../../src/telephony/connection-overrides.js";
import { startHaproxy, type TestHaproxy } from "../../test/support/haproxy.js";
import type { Child } from "./child.js";
import { hotlineServerChild } from "./hotline-child.js";
import { freePort } from "./net.js";
import { startBenchPostgres, type BenchPostgres } from "./postgres.js";
import { agentMaker, BENCH_ADMIN_TOKEN, jsonApi, type JsonApi, type ServerTimes } from "./rig.js";

export interface Instance {
  name: "A" | "B";
  /** The instance's own address (pages of agents "on" this instance connect here, not via the balancer). */
  origin: string;
  wsUrl: string;
  child: Child;
}

/** One commit or hearing of an event on an instance's bus (see servers/hotline-server.ts). */
export interface EventTime {
  type: string;
  callSid: string;
  userId: string;
  id: number;
  /** Monotonic ms: on the committing instance, when COMMIT returned; on the other, when its NOTIFY was heard. */
  at: number;
  remote: boolean;
}

export interface ClusterRig {
  clock: ManualClock;
  carrier: Carrier;
  pg: BenchPostgres;
  balancer: TestHaproxy;
  instances: [Instance, Instance];
  settle(): Promise<void>;
  advance(ms: number): Promise<void>;
  figures(): Promise<LiveFigures>;
  /**
   * How often a settle had to wait for an instance to hear the other's events, how often that timed out,
   * and the real time spent settling and moving the clocks (ms).
   */
  settleStats: { settles: number; catchUps: number; timeouts: number; settleMs: number; advanceMs: number };
  api: JsonApi;
  /** An agent account whose phone (a browser phone) the carrier answers at once. */
  createAgent(name: string, languages: string[]): Promise<{ id: string; token: string; endpoint: string }>;
  supervisorToken(name: string): Promise<string>;
  /** Every instance's request timings afresh. */
  resetServerTimes(): Promise<void>;
  serverTimes(instance: Instance): Promise<ServerTimes & { peakRssMb: number | null }>;
  eventTimes(instance: Instance): Promise<EventTime[]>;
  /** HAProxy's log so far: one line per request. */
  balancerLog(): string;
  close(): Promise<void>;
}

export async function startClusterRig(env: Record<string, string>): Promise<ClusterRig> {
  const dir = mkdtempSync(join(tmpdir(), "hotline-bench-cluster-"));
  // A section killed on its timeout exits without close(): the directory still goes (PostgreSQL and
  // HAProxy have exit hooks of their own; the instances and desks exit when their IPC channel closes).
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  process.once("exit", removeDir);
  const cleanup: Array<() => Promise<void>> = [
    async () => {
      process.off("exit", removeDir);
      removeDir();
    },
  ];
  const close = async () => {
    for (const step of cleanup.splice(0).reverse()) await step().catch(() => {});
  };
  try {
    const pg = await startBenchPostgres();
    cleanup.push(() => pg.stop());
    const ports = [await freePort(), await freePort()] as const;
    const logFile = join(dir, "haproxy.log");
    const balancer = await startHaproxy([...ports], { logFile });
    cleanup.push(() => balancer.stop());
    const clock = new ManualClock();
    // Production's connection overrides on the number's URLs (the server puts them on every URL it hands
    // out): a refused or timed-out connection is retried, as Twilio would.
    const overrides = connectionOverrides(envSchema.parse({}));
    const { carrier, origin: carrierOrigin } = await startSimulator({
      publicBaseUrl: balancer.origin,
      accountSid: SIMULATOR_ACCOUNT_SID,
      authToken: SIMULATOR_AUTH_TOKEN,
      hotlineNumber: SIMULATOR_HOTLINE_NUMBER,
      clock,
      connectionOverrides: overrides,
    });
    cleanup.push(() => carrier.close());

    const start = async (name: "A" | "B", port: number): Promise<Instance> => {
      const child = await hotlineServerChild({
        PORT: String(port),
        HOST: "127.0.0.1",
        DATABASE_URL: pg.url,
        // Not used on PostgreSQL (no file is created).
        DB_FILE: join(dir, "unused.db"),
        ADMIN_TOKEN: BENCH_ADMIN_TOKEN,
        LOG_LEVEL: "info",
        FLOWS_DIR: "./voice-flows",
        PUBLIC_BASE_URL: balancer.origin,
        TELEPHONY: "simulator",
        TWILIO_API_BASE_URL: carrierOrigin,
        BENCH_CLUSTER: "1",
        BENCH_CLOCK_START: String(clock.now()),
        ...env,
      });
      cleanup.push(() => child.stop());
      await child.next("ready", 60_000);
      const origin = `http://127.0.0.1:${port}`;
      return { name, origin, wsUrl: `${origin.replace("http", "ws")}/ws`, child };
    };
    // One after the other: the first migrates the empty database (the second would wait on its lock).
    const instances: [Instance, Instance] = [await start("A", ports[0]), await start("B", ports[1])];
    await balancerTakesBoth(balancer.origin, instances);

    const settleStats = { settles: 0, catchUps: 0, timeouts: 0, settleMs: 0, advanceMs: 0 };
    const idleAll = async () => (await Promise.all(instances.map((i) => i.child.ask({ type: "idle" }, "idle")))).map((m) => Number(m.lastEventId));
    // Both instances at rest, and each has heard every event either committed (and done what it started).
    const converge = async () => {
      for (;;) {
        const heard = await idleAll();
        const top = Math.max(...heard);
        if (heard.every((id) => id === top)) return;
        settleStats.catchUps += 1;
        const answers = await Promise.all(instances.map((i) => i.child.ask({ type: "caughtUp", id: top, timeoutMs: 5_000 }, "caughtUp", 60_000)));
        if (answers.some((a) => !a.ok)) {
          // An event one instance never hears (it should not happen): counted, and the tick goes on.
          settleStats.timeouts += 1;
          return;
        }
      }
    };
    const api = jsonApi(balancer.origin);
    return {
      clock,
      carrier,
      pg,
      balancer,
      instances,
      settleStats,
      async settle() {
        const t = performance.now();
        settleStats.settles += 1;
        await carrier.idle(converge);
        settleStats.settleMs += performance.now() - t;
      },
      async advance(ms) {
        const t = performance.now();
        await Promise.all([clock.advance(ms), ...instances.map((i) => i.child.ask({ type: "advance", ms }, "advanced"))]);
        settleStats.advanceMs += performance.now() - t;
      },
      async figures() {
        return (await instances[0].child.ask({ type: "figures" }, "figures")).figures as LiveFigures;
      },
      api,
      createAgent: agentMaker(carrier, api),
      async supervisorToken(name) {
        const created = await api("POST", "/api/users", { name, role: "supervisor" });
        if (created.status !== 201) throw new Error(`supervisor not created: ${JSON.stringify(created.body)}`);
        return String(created.body.token);
      },
      async resetServerTimes() {
        await Promise.all(instances.map((i) => i.child.ask({ type: "resetLoopDelay" }, "loopDelayReset")));
      },
      async serverTimes(instance) {
        const stats = await instance.child.ask({ type: "stats" }, "stats");
        return { webhooksMs: stats.webhooksMs as ServerTimes["webhooksMs"], cpuMs: Number(stats.cpuMs), peakRssMb: stats.peakRssMb === null ? null : Number(stats.peakRssMb) };
      },
      async eventTimes(instance) {
        return (await instance.child.ask({ type: "eventTimes" }, "eventTimes", 60_000)).times as EventTime[];
      },
      balancerLog: () => readFileSync(logFile, "utf8"),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * HAProxy's checks (downinter 1s, rise 2) take an instance in about two seconds after it first answers
 * /health; its config has no stats socket, so that is waited for: both answer directly, then 2.6 s.
 */
async function balancerTakesBoth(origin: string, instances: Instance[]): Promise<void> {
  const ok = (url: string) => fetch(url).then((r) => r.ok, () => false);
  for (const instance of instances) while (!(await ok(`${instance.origin}/health`))) await sleep(50);
  await sleep(2_600);
  while (!(await ok(`${origin}/health`))) await sleep(50);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One request in HAProxy's log (`option httplog`): which instance took it, its timers, status and path. */
export interface BalancedRequest {
  server: string;
  /** Ta: from the request's first byte at the balancer to the response's last byte out, ms. */
  totalMs: number;
  /** Tr: waiting for the instance's response headers, ms (-1 when none came). */
  responseMs: number;
  status: number;
  method: string;
  path: string;
  retries: number;
}

/**
 * `127.0.0.1:40000 [02/Dec/2026:…] hotline hotline/hotline1 0/0/0/3/3 200 345 - - ---- 2/2/1/0/0 0/0 "POST /twilio/ivr?… HTTP/1.1"`:
 * TR/Tw/Tc/Tr/Ta, then the status; the connection counts' last field is the retries (+ when redispatched).
 */
export function parseBalancerLog(text: string): BalancedRequest[] {
  const out: BalancedRequest[] = [];
  const line = /\] \S+ \S+\/(\S+) (-?\d+)\/(-?\d+)\/(-?\d+)\/(-?\d+)\/\+?(-?\d+) (-?\d+) \S+ \S+ \S+ \S+ \d+\/\d+\/\d+\/\d+\/\+?(\d+) \S+ "(\S+) (\S+)/;
  for (const l of text.split("\n")) {
    const m = line.exec(l);
    if (!m) continue;
    out.push({ server: m[1]!, responseMs: Number(m[5]), totalMs: Number(m[6]), status: Number(m[7]), retries: Number(m[8]), method: m[9]!, path: m[10]! });
  }
  return out;
}
