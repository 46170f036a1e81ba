import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { expect, inject } from "vitest";
import { startSimulator, type Carrier, type SimCall } from "../../src/carrier/index.js";
import { systemClock } from "../../src/clock.js";
import { envSchema } from "../../src/config.js";
import { connectionOverrides } from "../../src/telephony/connection-overrides.js";
import { STAND_IN_ACCOUNT, startChildServer, type ChildServer } from "../support/child-server.js";
import { jsonApi } from "../support/json-api.js";
import { AgentSocket } from "../support/call-center.js";
import { freePort } from "../support/free-port.js";
import { startHaproxy, type TestHaproxy } from "../support/haproxy.js";
import { TEST_ADMIN_TOKEN } from "../support/hotline-fixture.js";
import { freshPgDatabase } from "../support/test-database.js";

/*
 * Two hotline instances (child processes, npm start's entry) on one PostgreSQL database behind the
 * project's own deploy/haproxy.cfg, and the built-in carrier in the test's process, on the real clock, as
 * Twilio: its webhooks go to the balancer, with the connection-overrides fragment the server's settings
 * put on every URL (a refused connection is retried). Agents answer in the browser (client: endpoints
 * the carrier picks up at once) and keep a WebSocket to one instance, reconnecting through the balancer
 * when it goes away. Callers choose Thai and a topic at once, and hang up when their patience runs out
 * unless an agent is with them.
 */

export const HOTLINE_NUMBER = "+6621300000";
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The settings every instance gets on top of the test's own. */
const CLUSTER_ENV = { HOTLINE_NUMBER, LOG_LEVEL: "silent" };

export class Instance {
  process: ChildServer | undefined;
  /** Every time the process ended, and how (exit code, or null for a signal). */
  readonly exits: Array<number | null> = [];
  private starts = 0;

  constructor(
    readonly name: string,
    /** Its name in the balancer's backend (hotline1, hotline2). */
    readonly server: string,
    readonly port: number,
    private readonly env: () => Record<string, string>,
    /** Where its log goes (a file per start), if anywhere. */
    private readonly logDir?: string,
  ) {}

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const env = this.env();
    // What it logs at CLUSTER_LOG_LEVEL (default info), when there is somewhere to put it.
    const logFile = this.logDir ? join(this.logDir, `${this.name}-${++this.starts}.log`) : undefined;
    if (logFile) env.LOG_LEVEL = process.env.CLUSTER_LOG_LEVEL ?? "info";
    // DB_FILE is not used on PostgreSQL; the carrier's origin is in the environment.
    this.process = await startChildServer({ port: this.port, dbFile: join(tmpdir(), "unused-on-postgres.db"), carrierOrigin: env.TWILIO_API_BASE_URL!, env, logFile });
  }

  /** SIGKILL: no drain, no goodbye; what it was doing is cut off. */
  async kill(): Promise<void> {
    const child = this.process;
    if (!child) return;
    this.process = undefined;
    child.process.kill("SIGKILL");
    this.exits.push(await child.exited);
  }

  /** SIGTERM: the server drains (503 on /health, DRAIN_GRACE_MS of service, requests finish) and exits. */
  async terminate(): Promise<void> {
    const child = this.process;
    if (!child) return;
    child.process.kill("SIGTERM");
    this.exits.push(await child.exited);
    this.process = undefined;
  }
}

export interface Cluster {
  carrier: Carrier;
  balancer: TestHaproxy;
  instances: [Instance, Instance];
  databaseUrl: string;
  /** A connection of the test's own to the shared database, for reading what the instances wrote. */
  db: pg.Client;
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /**
   * A rolling restart's step: SIGTERM, wait for the exit, start again on the same port, and wait until
   * the balancer has put the instance back. Resolves with when the balancer took it out (ms after the
   * signal) and how long the drain took.
   */
  restart(instance: Instance): Promise<{ outAfterMs: number; exitedAfterMs: number }>;
  stop(): Promise<void>;
}

/**
 * Storms take turns. Each one keeps a two-core machine busy (two instances, the balancer, PostgreSQL and
 * the carrier); two at once, as vitest's two workers would run them, push webhooks past the carrier's
 * 10 s read timeout, which is the machine failing, not the hotline. The turn is a file per test run (per
 * PostgreSQL cluster) holding its owner's pid; one whose owner has died is taken over.
 */
async function takeTurn(): Promise<() => void> {
  const file = join(tmpdir(), `hotline-cluster-storm-${new URL(inject("pgAdminUrl")).port}.lock`);
  for (;;) {
    try {
      const fd = openSync(file, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.off("exit", release);
        unlinkSync(file);
      };
      process.once("exit", release);
      return release;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    if (!ownerAlive(file)) {
      try {
        unlinkSync(file);
      } catch {
        /* another waiter took it over first */
      }
      continue;
    }
    await sleep(200);
  }
}

function ownerAlive(file: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(file, "utf8"));
  } catch {
    return true; // gone meanwhile, or not written yet: try again
  }
  if (!pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export async function startCluster(env: Record<string, string>): Promise<Cluster> {
  const releaseTurn = await takeTurn();
  try {
    return await startClusterInTurn(env, releaseTurn);
  } catch (err) {
    releaseTurn();
    throw err;
  }
}

async function startClusterInTurn(env: Record<string, string>, releaseTurn: () => void): Promise<Cluster> {
  const databaseUrl = await freshPgDatabase();
  const ports = [await freePort(), await freePort()];
  // The balancer first: the carrier and the instances are given its address.
  // To read what the balancer and the instances logged: CLUSTER_LOG_DIR=/some/dir (a directory per cluster).
  const logDir = process.env.CLUSTER_LOG_DIR ? join(process.env.CLUSTER_LOG_DIR, new URL(databaseUrl).pathname.slice(1)) : undefined;
  if (logDir) mkdirSync(logDir, { recursive: true });
  const balancer = await startHaproxy(ports, { logFile: logDir ? join(logDir, "haproxy.log") : undefined });
  const overrides = connectionOverrides(envSchema.parse({ ...env }));
  const { carrier, origin: carrierOrigin } = await startSimulator({
    publicBaseUrl: balancer.origin,
    ...STAND_IN_ACCOUNT,
    hotlineNumber: HOTLINE_NUMBER,
    clock: systemClock,
    connectionOverrides: overrides,
  });
  carrier.setDefaultEndpointMode("answer");
  const instanceEnv = () => ({ ...CLUSTER_ENV, TWILIO_API_BASE_URL: carrierOrigin, DATABASE_URL: databaseUrl, PUBLIC_BASE_URL: balancer.origin, ...env });
  const instances: [Instance, Instance] = [new Instance("A", "hotline1", ports[0]!, instanceEnv, logDir), new Instance("B", "hotline2", ports[1]!, instanceEnv, logDir)];
  const db = new pg.Client({ connectionString: databaseUrl });
  try {
    // One after the other: the first one migrates the empty database.
    for (const instance of instances) await instance.start();
    await db.connect();
  } catch (err) {
    await Promise.all(instances.map((i) => i.kill()));
    await balancer.stop();
    await carrier.close();
    throw err;
  }
  const api: Cluster["api"] = jsonApi(balancer.origin, TEST_ADMIN_TOKEN);
  const cluster: Cluster = {
    carrier,
    balancer,
    instances,
    databaseUrl,
    db,
    api,
    async restart(instance) {
      const since = balancer.changes.length;
      const signalled = Date.now();
      let outAt = 0;
      void balancer.reached(instance.server, "DOWN", since).then(() => (outAt = Date.now()));
      await instance.terminate();
      const exitedAt = Date.now();
      await instance.start();
      await balancer.reached(instance.server, "UP", since);
      return { outAfterMs: outAt ? outAt - signalled : Number.POSITIVE_INFINITY, exitedAfterMs: exitedAt - signalled };
    },
    async stop() {
      try {
        await Promise.all(instances.map((i) => i.kill()));
        await balancer.stop();
        await carrier.close();
        await db.end();
      } finally {
        releaseTurn();
      }
    },
  };
  // Both in the balancer (its checks take an instance in after two good answers) before anything starts.
  for (const instance of instances) await balancer.reached(instance.server, "UP");
  return cluster;
}

/**
 * An agent whose desktop keeps a WebSocket open to one instance; when that socket goes (the instance is
 * killed, or drains and says "reconnect"), the page connects again through the balancer, as the agent
 * page does behind it.
 */
export class Agent {
  socket: AgentSocket | undefined;
  /** Sockets opened after the first: each a reconnection. */
  reconnections = 0;
  private stopped = false;

  constructor(
    readonly id: string,
    readonly token: string,
    readonly endpoint: string,
    private readonly balancerOrigin: string,
  ) {}

  async connect(origin: string): Promise<void> {
    for (let tries = 0; ; tries++) {
      if (this.stopped) return;
      try {
        const socket = await AgentSocket.open(`${origin.replace("http", "ws")}/ws`, this.token);
        this.socket = socket;
        void socket.closed.then(() => this.lost(socket));
        return;
      } catch (err) {
        if (tries > 100) throw err;
        await sleep(100);
      }
    }
  }

  private lost(socket: AgentSocket): void {
    if (this.stopped || this.socket !== socket) return;
    this.socket = undefined;
    this.reconnections += 1;
    // A draining instance the balancer has not taken out yet sends the page away again: a short pause.
    setTimeout(() => void this.connect(this.balancerOrigin), 100);
  }

  /** Sent if the desktop is connected now (a message meanwhile is lost, as a click on a reconnecting page). */
  send(message: unknown): void {
    const socket = this.socket;
    if (socket && socket.ws.readyState === socket.ws.OPEN) socket.send(message);
  }

  async close(): Promise<void> {
    this.stopped = true;
    await this.socket?.close();
  }
}

/**
 * Creates an agent for Thai callers whose browser phone the carrier answers at once, connects its
 * socket to `home` and makes it available. Each answered call is talked for `talkMs()` from the moment
 * the caller is in the room with them; then the agent hangs up.
 */
export async function addAgent(cluster: Cluster, name: string, home: Instance, talkMs: () => number, agentLegs: Set<string>): Promise<Agent> {
  const endpoint = `client:${name.toLowerCase().replace(/\W+/g, "_")}`;
  const phone = cluster.carrier.endpoint(endpoint).setMode("answer");
  phone.onRing((leg) => {
    agentLegs.add(leg.sid);
    talkOnceTogether(cluster.carrier, leg, talkMs);
  });
  const created = await cluster.api("POST", "/api/agents", { name, languages: ["th"], endpoint });
  if (created.status !== 201) throw new Error(`agent not created: ${JSON.stringify(created.body)}`);
  const agent = new Agent(created.body.id, created.body.token, endpoint, cluster.balancer.origin);
  await agent.connect(home.origin);
  await agent.socket!.next("hello");
  agent.send({ type: "status", status: "available" });
  await agent.socket!.next("ack");
  return agent;
}

/** The agent leg waits in its conference until the caller is in too, talks, then hangs up. */
function talkOnceTogether(carrier: Carrier, leg: SimCall, talkMs: () => number): void {
  let talking = false;
  const check = () => {
    if (talking || leg.ended) return clearInterval(poll);
    const room = leg.state === "conference" && leg.conference ? carrier.conference(leg.conference) : undefined;
    if (!room || room.participants.length < 2) return;
    talking = true;
    clearInterval(poll);
    // A carrier closed meanwhile (a test that failed half-way) has nothing to hang up.
    setTimeout(() => void leg.hangup().catch(() => {}), talkMs());
  };
  const poll = setInterval(check, 50);
}

/** Whether an agent's leg is in the caller's conference with them right now. */
export function withAgent(carrier: Carrier, call: SimCall, agentLegs: Set<string>): boolean {
  if (call.state !== "conference" || !call.conference) return false;
  return carrier.conference(call.conference)?.participants.some((p) => agentLegs.has(p.callSid)) ?? false;
}

export interface Caller {
  call: SimCall;
  number: string;
  patienceMs: number;
}

/**
 * A caller dials in and presses 1 (Thai) and 1 (a topic) as soon as each menu listens. Once in the queue
 * (the waiting loop's first prompt), their patience runs; when it is out they hang up whenever no agent
 * is with them (after a dropped agent too). Nobody hangs up before that: a caller put down by the IVR or
 * turned away at the door is the server's doing, not theirs.
 */
export function placeCaller(carrier: Carrier, number: string, patienceMs: number, agentLegs: Set<string>): Caller {
  const call = carrier.placeCall({ from: number });
  const pressed = new Set<object>();
  let waiting = false;
  const giveUp = () => {
    if (call.ended) return;
    if (withAgent(carrier, call, agentLegs)) return void setTimeout(giveUp, 200);
    void call.hangup().catch(() => {});
  };
  const wait = () => {
    if (waiting) return;
    waiting = true;
    setTimeout(giveUp, patienceMs);
  };
  call.onChange(() => {
    // Straight into a conference (an agent was free at once): patience runs there too, should the
    // agent never come.
    if (call.state === "conference") return wait();
    const gather = call.lastGather;
    if (call.state !== "gather" || !gather || pressed.has(gather)) return;
    pressed.add(gather);
    if (gather.action?.includes("/twilio/ivr")) {
      // The Gather listens once the state has changed: the key goes in on the next turn.
      setImmediate(() => {
        if (call.state === "gather" && call.lastGather === gather) call.press("1");
      });
    } else if (gather.action?.includes("/twilio/queue/")) wait();
  });
  return { call, number, patienceMs };
}

/** Puts agents a missed offer sent on break back to available (the storm goes on), until stopped. */
export function keepAgentsAvailable(cluster: Cluster, agents: Agent[]): () => Promise<void> {
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const { rows } = await cluster.db.query<{ id: string }>("select id from users where role = 'agent' and status = 'break'");
      for (const row of rows) agents.find((a) => a.id === row.id)?.send({ type: "status", status: "available" });
      await sleep(250);
    }
  })().catch((err: unknown) => {
    // The cluster was stopped under it (a test that failed half-way): nothing left to keep.
    if (!stopped) console.warn("keeping agents available stopped:", err);
  });
  return async () => {
    stopped = true;
    await loop;
  };
}

export async function waitFor(what: string, test: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/**
 * After the storm: every caller has ended (talked to the end, hung up, or been turned away); agent legs
 * nobody hung up (their instance died before it could) are put down by their agents; then the instances
 * settle: no line held, nobody offered or on a call, nobody waiting. Offers a dead instance made lapse
 * on the survivor's timers (OFFER_TIMEOUT_SECONDS and a grace).
 */
export async function settle(cluster: Cluster, callers: Caller[], timeoutMs: number): Promise<void> {
  const { carrier } = cluster;
  await waitFor("every caller to end", () => callers.every((c) => c.call.ended), timeoutMs);
  for (const leg of carrier.liveCalls()) await leg.hangup();
  await carrier.idle();
  let last: unknown;
  try {
    await waitFor(
      "the instances to settle",
      async () => {
        const s = await stats(cluster);
        last = { lines: s.lines, agents: s.agents, waiting: s.queue.waiting };
        return s.lines.inUse === 0 && s.agents.offered === 0 && s.agents.on_call === 0 && s.queue.waiting === 0;
      },
      timeoutMs,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}: ${JSON.stringify(last)}, ${carrier.liveCalls().length} live legs`);
  }
  await carrier.idle();
}

/** What the storm's callers amount to, by the carrier's own record and by the server's. */
export interface Accounting {
  answered: string[];
  abandoned: string[];
  overflow: string[];
  /** Calls whose stored outcome disagrees with the carrier's record. */
  mismatches: Array<{ sid: string; carrier: string; server: string | null }>;
  /** Callers with no stored call, or with more than one ending. */
  unaccounted: Array<{ sid: string; rows: number; endings: number }>;
}

/**
 * Call by call: answered exactly when the carrier had the caller and an agent's leg in one conference
 * at once; overflow exactly when the carrier heard the call turned away (busy); abandoned otherwise.
 */
export async function account(cluster: Cluster, callers: Caller[], agentLegs: Set<string>): Promise<Accounting> {
  const rows = await cluster.db.query<{ sid: string; state: string; outcome: string | null; holds_line: boolean }>(
    "select sid, state, outcome, holds_line from calls where direction = 'inbound'",
  );
  const stored = new Map<string, Array<(typeof rows.rows)[number]>>();
  for (const r of rows.rows) stored.set(r.sid, [...(stored.get(r.sid) ?? []), r]);
  const endings = await cluster.db.query<{ call_sid: string; n: number }>(
    "select call_sid, count(*)::int as n from events where type in ('call.ended', 'call.overflow') group by call_sid",
  );
  const ended = new Map(endings.rows.map((r) => [r.call_sid, r.n]));
  const result: Accounting = { answered: [], abandoned: [], overflow: [], mismatches: [], unaccounted: [] };
  for (const { call } of callers) {
    const met = [...cluster.carrier.metWith(call.sid)].some((leg) => agentLegs.has(leg));
    const carrierSays = met ? "answered" : call.status === "busy" ? "overflow" : "abandoned";
    result[carrierSays].push(call.sid);
    const mine = stored.get(call.sid) ?? [];
    if (mine.length !== 1 || ended.get(call.sid) !== 1) result.unaccounted.push({ sid: call.sid, rows: mine.length, endings: ended.get(call.sid) ?? 0 });
    const outcome = mine[0]?.outcome ?? null;
    const serverSays = outcome === "answered" || outcome === "overflow" ? outcome : outcome?.startsWith("abandoned") ? "abandoned" : outcome;
    if (serverSays !== carrierSays || mine[0]?.state !== "ended") result.mismatches.push({ sid: call.sid, carrier: carrierSays, server: outcome });
  }
  return result;
}

/** Open callback items per number. */
export async function openItems(cluster: Cluster): Promise<Map<string, number>> {
  const { rows } = await cluster.db.query<{ number: string | null; n: number }>("select number, count(*)::int as n from callbacks where status = 'open' group by number");
  return new Map(rows.map((r) => [r.number ?? "", r.n]));
}

/**
 * Offers that overlapped: a call offered to an agent while an earlier offer of it (to anyone) was still
 * open. An offer is open from call.offered until it is missed, withdrawn, handed back to the queue, or
 * the agent's leg of the answered call ends. Events are numbered in commit order: every writing
 * transaction holds the one lock.
 */
export async function overlappingOffers(cluster: Cluster): Promise<Array<{ callSid: string; first: string; second: string; eventId: number }>> {
  const { rows } = await cluster.db.query<{ id: number; type: string; call_sid: string; user_id: string | null }>(
    "select id, type, call_sid, user_id from events where call_sid is not null and type in ('call.offered', 'offer.missed', 'offer.withdrawn', 'call.requeued', 'agent.leg_ended') order by id",
  );
  const holder = new Map<string, string>();
  const overlaps: Array<{ callSid: string; first: string; second: string; eventId: number }> = [];
  for (const e of rows) {
    if (e.type !== "call.offered") {
      holder.delete(e.call_sid);
      continue;
    }
    const current = holder.get(e.call_sid);
    if (current !== undefined) overlaps.push({ callSid: e.call_sid, first: current, second: e.user_id ?? "", eventId: e.id });
    holder.set(e.call_sid, e.user_id ?? "");
  }
  return overlaps;
}

/** Agent legs the carrier had in one conference with another agent leg at the same moment. */
export function agentsTogether(carrier: Carrier, agentLegs: Set<string>): string[] {
  return [...agentLegs].filter((leg) => [...carrier.metWith(leg)].some((other) => agentLegs.has(other)));
}

export async function stats(cluster: Cluster): Promise<any> {
  const res = await cluster.api("GET", "/api/stats");
  if (res.status !== 200) throw new Error(`stats: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/**
 * Agents whose desktops are on A and on B in turn (directly, not through the balancer), each call talked
 * for 2–4 s, put back to available whenever a missed offer sends them on a break. Resolves with the
 * function that stops keeping them available.
 */
export async function staffBothInstances(cluster: Cluster, name: string, count: number, rand: () => number, agents: Agent[], agentLegs: Set<string>): Promise<() => Promise<void>> {
  const [a, b] = cluster.instances;
  for (let i = 0; i < count; i++) {
    agents.push(await addAgent(cluster, `${name} ${i}`, i % 2 ? b : a, () => 2_000 + Math.floor(rand() * 2_000), agentLegs));
  }
  return keepAgentsAvailable(cluster, agents);
}

/**
 * What every storm must leave behind, whatever happened to the instances: no webhook failed and nobody
 * heard an application error; every call ended as the carrier's record says, stored and ended once; no
 * line leaked; every caller who missed us has exactly one open callback item and nobody answered has
 * one; no call was offered to two agents at once. The books and the live figures, for a test's own checks.
 */
export async function expectBooksBalanced(cluster: Cluster, callers: Caller[], agentLegs: Set<string>): Promise<{ books: Accounting; figures: any }> {
  expect(cluster.carrier.failedWebhooks).toEqual([]);
  expect(cluster.carrier.applicationErrors).toEqual([]);

  const books = await account(cluster, callers, agentLegs);
  expect(books.unaccounted).toEqual([]);
  expect(books.mismatches).toEqual([]);

  const figures = await stats(cluster);
  expect(figures.lines.inUse).toBe(0);
  expect((await cluster.db.query("select sid from calls where holds_line")).rows).toEqual([]);

  const open = await openItems(cluster);
  const answered = new Set(books.answered);
  const missed = callers.filter((c) => !answered.has(c.call.sid)).map((c) => c.number);
  expect(missed.filter((n) => open.get(n) !== 1)).toEqual([]);
  expect(open.size).toBe(missed.length);

  expect(await overlappingOffers(cluster)).toEqual([]);
  return { books, figures };
}
