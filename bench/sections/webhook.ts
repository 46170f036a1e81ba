// Section 1: the webhook path. A full signed IVR step on the hotline (signature check, database writes,
// TwiML) against a bare Fastify route returning constant TwiML, with the same load generator (autocannon as
// a library), the same connections, the same request bodies and the same durations.
//
// Honest numbers on 2 cores: each server runs in a child process of its own and autocannon runs here, so
// the load generator has one core and the server the other. In one process they would share one event loop.
//
// Every IVR request steps a different call that waits in the language menu, so each one does the real work
// (a repeated step is answered from the stored state without writing). The calls come from two places:
// those created through POST /twilio/voice in the first phase (itself measured), and copies of one of them
// made in the database (same row, same events, new CallSid and number), because creating tens of thousands
// through the webhook would take minutes.
import autocannon from "autocannon";
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SIMULATOR_ACCOUNT_SID, SIMULATOR_AUTH_TOKEN, SIMULATOR_HOTLINE_NUMBER } from "../../src/hotline.js";
import { twilioSignature } from "../../src/telephony/signature.js";
import { Child } from "../lib/child.js";
import { goalAtLeast, goalBelow, round, type Figure, type SectionResult } from "../lib/figures.js";
import { freePort } from "../lib/net.js";
import { startHotlineChild } from "../lib/hotline-child.js";
import { copyCallsPg, startBenchPostgres } from "../lib/postgres.js";
import { percentile } from "../lib/stats.js";
import { steadyLoad } from "../lib/steady.js";

const CONNECTIONS = 200;
const WARMUP_SECONDS = 1;
const MEASURE_SECONDS = 5;
const ARRIVAL_SECONDS = 3;
const LIGHT_CONNECTIONS = 20;
const LIGHT_SECONDS = 3;
/**
 * A steady rate far above the hotline's real peak (100 lines, each call posting a webhook every few
 * seconds, is under 50 req/s): the wait a caller would hear between pressing a key and the next prompt.
 */
const STEADY_RATE = 1_000;
const STEADY_SECONDS = 5;
/** Calls copied for the IVR run: more than the hotline can step through in warm-up and measurement. */
const COPIES = Number(process.env.BENCH_WEBHOOK_COPIES ?? 400_000);
/** Of those, the last ones are stepped by the floor server (servers/floor-server.ts, over and over), never by the hotline. */
const FLOOR_CALLS = 40_000;
/**
 * The CPU goal's windows: the IVR step and the bare route in turn, this many times, each for WINDOW_SECONDS.
 * Measured minutes apart, as they were, the two moved independently with the machine's other work (in
 * 2-second windows on the same shared machine the bare route alone ranged 32–67 µs a request); alternated,
 * both meet the same conditions, and the ratio is of the windows' sums.
 */
export const WINDOW_PAIRS = 4;
export const WINDOW_SECONDS = 2;
/** The floor server's windows, shorter: it steps about three times as many calls a second. */
const FLOOR_WINDOW_SECONDS = 1;
/**
 * Calls copied for PostgreSQL's IVR run: more than it steps in warm-up and measurement. Since its menu
 * steps are batched (src/calls/call-store.ts, stepMenuCall) it steps about as many a second as SQLite.
 */
const PG_COPIES = Number(process.env.BENCH_WEBHOOK_PG_COPIES ?? 120_000);
const IVR_PATH = "/twilio/ivr?node=language-menu&attempt=0";
/** Issue 16's later goal: a signed IVR step on PostgreSQL costs at most twice the CPU it costs on SQLite. */
const PG_CPU_GOAL = 2;
/**
 * Issue 16: a signed IVR step costs at most 2.9× the bare route's CPU (bare ÷ step ≥ 0.35). A standalone
 * server doing only what a durable step must (form, HMAC, one conditional UPDATE and the trail in the group
 * commit) cost 2.3–2.8× the bare route, so that is the floor. CPU is held to the goal, not req/s or the p99
 * at 200 saturating connections: on 2 shared cores those move with whatever else runs, and even a constant
 * answer misses a 20 ms p99 there; they are shown for context.
 */
const CPU_RATIO_GOAL = 0.35;
/** Issue 16: the latency a caller hears between a key and the next prompt, at a steady rate (not saturated). */
const STEADY_P99_GOAL_MS = 20;

interface Prepared {
  path: string;
  body: string;
  signature: string;
}

const sidOf = (i: number) => `CA${i.toString(16).padStart(32, "0")}`;
const numberOf = (i: number) => `+668${String(10_000_000 + i).slice(-8)}`;

/** Twilio's parameters for one call, as the built-in carrier sends them. */
export function callParams(i: number, extra: Record<string, string>): Record<string, string> {
  const from = numberOf(i);
  return {
    AccountSid: SIMULATOR_ACCOUNT_SID,
    ApiVersion: "2010-04-01",
    CallSid: sidOf(i),
    CallStatus: "in-progress",
    Called: SIMULATOR_HOTLINE_NUMBER,
    Caller: from,
    Direction: "inbound",
    From: from,
    To: SIMULATOR_HOTLINE_NUMBER,
    ...extra,
  };
}

const asRequest = (p: Prepared) => ({
  path: p.path,
  body: p.body,
  headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": p.signature },
});

/** Signed up front, so the load generator only sends. */
export function prepare(baseUrl: string, path: string, params: Record<string, string>): Prepared {
  return { path, body: new URLSearchParams(params).toString(), signature: twilioSignature(SIMULATOR_AUTH_TOKEN, `${baseUrl}${path}`, params) };
}

// Keys 1–8: every language, Khmer and Lao included (their prompts fall back to Thai, and that is logged).
export const ivrStep = (baseUrl: string, i: number) => prepare(baseUrl, IVR_PATH, callParams(i, { Digits: String((i % 8) + 1), FinishedOnKey: "" }));

interface LoadResult {
  rps: number;
  p50: number;
  p90: number;
  p97_5: number;
  p99: number;
  p999: number;
  requests: number;
  /** Connections that got at least one answer during the run. */
  connectionsAnswered: number;
  afterFirst: { n: number; p50: number | null; p99: number | null; max: number | null };
  non2xx: number;
  errors: number;
  timeouts: number;
}

/**
 * autocannon against url; each request is the next of `next()`. Besides autocannon's own figures it keeps
 * the latencies of every connection's requests after its first: a saturated Node server accepts new
 * connections slowly, so first requests measure connection set-up as much as the route.
 */
export async function load(url: string, next: () => Prepared, seconds: number, connections = CONNECTIONS): Promise<LoadResult> {
  const later: number[] = [];
  const seen = new Set<unknown>();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections,
        duration: seconds,
        timeout: 10,
        requests: [
          {
            method: "POST",
            setupRequest: (req) => {
              const p = next();
              return { ...req, method: "POST", path: p.path, body: p.body, headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": p.signature } };
            },
          },
        ],
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
    instance.on("response", (client, _status, _bytes, responseTime) => {
      if (seen.has(client)) later.push(responseTime);
      else seen.add(client);
    });
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p97_5: result.latency.p97_5,
    p99: result.latency.p99,
    p999: result.latency.p99_9,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    connectionsAnswered: seen.size,
    afterFirst: { n: later.length, p50: percentile(later, 50), p99: percentile(later, 99), max: percentile(later, 100) },
  };
}

/** One side of alternated windows: a server, the requests it gets, how long each of its windows lasts. */
export interface WindowSide {
  server: Child;
  url: string;
  next: () => Prepared;
  seconds: number;
  /** Runs before each of this side's windows; what it returns, run after the window, gives CPU (ms) to leave out of it. */
  around?: () => () => number;
}

/** A side's windows summed: its server's CPU over them, the requests answered and failed, and CPU per request. */
export interface WindowSum {
  cpuMs: number;
  requests: number;
  failed: number;
  cpuUs: number;
}

/**
 * Each side in turn, `pairs` times (see WINDOW_PAIRS): on a shared machine two figures measured one after
 * the other moved apart with its other work; alternated, every side meets the same conditions.
 */
export async function alternatedWindows(sides: WindowSide[], pairs = WINDOW_PAIRS, connections = CONNECTIONS): Promise<WindowSum[]> {
  const sums = sides.map(() => ({ cpuMs: 0, requests: 0, failed: 0 }));
  for (let k = 0; k < pairs; k++) {
    for (const [i, side] of sides.entries()) {
      const cpuMs = async () => Number((await side.server.ask({ type: "stats" }, "stats")).cpuMs);
      const before = await cpuMs();
      const leftOut = side.around?.();
      const window = await load(side.url, side.next, side.seconds, connections);
      const sum = sums[i]!;
      sum.cpuMs += (await cpuMs()) - before - (leftOut?.() ?? 0);
      sum.requests += window.requests;
      sum.failed += window.non2xx + window.errors;
    }
  }
  return sums.map((sum) => ({ ...sum, cpuUs: (sum.cpuMs * 1000) / sum.requests }));
}

/**
 * Copies one stored call (its row and its events) under new CallSids and numbers. A copy holds no line:
 * no hotline has a quarter of a million calls on its lines, and the line reconciliation reads every call
 * holding one each minute (RECONCILE_SECONDS); on SQLite in one turn of the event loop, so copies on lines
 * stalled the server for up to a second once a minute, and the steady run's p99 failed whenever that
 * minute fell in it. A menu step never touches the line.
 */
export function copyCalls(dbFile: string, template: string, first: number, count: number): void {
  const db = new Database(dbFile);
  db.pragma("busy_timeout = 10000");
  const columns = (db.prepare("select name from pragma_table_info('calls')").all() as Array<{ name: string }>).map((c) => c.name);
  const rest = columns.filter((c) => !["sid", "from_raw", "from_e164", "holds_line"].includes(c)).map((c) => `"${c}"`);
  const copyRow = db.prepare(`insert into calls (sid, from_raw, from_e164, holds_line, ${rest.join(", ")}) select ?, ?, ?, 0, ${rest.join(", ")} from calls where sid = ?`);
  const eventColumns = (db.prepare("select name from pragma_table_info('events')").all() as Array<{ name: string }>)
    .map((c) => c.name)
    .filter((c) => !["id", "call_sid", "dedupe_key"].includes(c))
    .map((c) => `"${c}"`);
  const copyEvents = db.prepare(`insert into events (call_sid, ${eventColumns.join(", ")}) select ?, ${eventColumns.join(", ")} from events where call_sid = ?`);
  db.transaction(() => {
    for (let i = first; i < first + count; i++) {
      copyRow.run(sidOf(i), numberOf(i), numberOf(i), template);
      copyEvents.run(sidOf(i), template);
    }
  })();
  // Checkpointed here, so the server does not copy the copies into the database file during the run.
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
}

/**
 * The arrival phase's calls give their lines back before the IVR run (a menu step never touches the line).
 * A hotline holds at most its capacity's worth of lines; the phase leaves tens of thousands held (every
 * arrival admitted, 40,000 at 13,000 arrivals a second), and the line reconciliation reads every call
 * holding one, once a minute, in one turn.
 */
function giveLinesBack(dbFile: string): void {
  const db = new Database(dbFile);
  db.pragma("busy_timeout = 10000");
  db.prepare("update calls set holds_line = 0 where holds_line").run();
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
}

/** What the same IVR run costs on PostgreSQL (see postgresRun). */
interface PostgresRun {
  arrival: LoadResult & { admitted: number };
  hot: LoadResult;
  light: LoadResult;
  /** CPU per step of the hotline process, of the PostgreSQL cluster (every process of it), in µs. */
  cpuUs: { server: number; database: number; total: number };
  /** The same over the 20-connection run, where requests do not queue for the pool and the write lock. */
  lightCpuUs: { server: number; database: number; total: number };
  inServerMs: { n: number; p50: number; p99: number; max: number };
  sent: number;
  prepared: number;
  stepped: number;
  setupSeconds: number;
}

/**
 * The hotline on PostgreSQL (DATABASE_URL, a cluster of the bench's own), measured as the SQLite run
 * is: calls arrive through the webhook, one is copied in the database (copyCallsPg), then the signed IVR
 * step, 1 s warm-up, 5 s at 200 connections (CPU measured over those 5 s), 3 s at 20. SQLite does its
 * work inside the hotline's process; PostgreSQL does much of it in its own processes, so the CPU per
 * step counts both: the hotline's process and every process of the cluster.
 */
async function postgresRun(): Promise<PostgresRun> {
  const began = performance.now();
  const db = await startBenchPostgres();
  const { hotline, baseUrl } = await startHotlineChild({ DATABASE_URL: db.url }, PG_COPIES + 200_000).catch(async (err: unknown) => {
    await db.stop();
    throw err;
  });
  try {
    let arrivals = 0;
    const arrive = () => prepare(baseUrl, "/twilio/voice", callParams(arrivals++, { CallStatus: "ringing" }));
    await load(`${baseUrl}/twilio/voice`, arrive, WARMUP_SECONDS);
    const arrival = await load(`${baseUrl}/twilio/voice`, arrive, ARRIVAL_SECONDS);
    const admitted = (await db.client.query<{ sid: string }>("select sid from calls where ivr_node = 'language-menu' and ivr_retries = 0 order by sid")).rows.map((r) => r.sid);
    if (admitted.length === 0) throw new Error("no call was admitted in the arrival phase (PostgreSQL)");
    await copyCallsPg(db.client, admitted[0]!, arrivals + 1, PG_COPIES);
    // As giveLinesBack does on SQLite.
    await db.client.query("update calls set holds_line = false where holds_line");
    const targets = [...admitted.map((sid) => parseInt(sid.slice(2), 16)), ...Array.from({ length: PG_COPIES }, (_, k) => arrivals + 1 + k)];
    const prepared = targets.map((i) => ivrStep(baseUrl, i));
    let cursor = 0;
    const next = () => prepared[cursor++ % prepared.length]!;
    const setupSeconds = (performance.now() - began) / 1000;
    await load(`${baseUrl}/twilio/ivr`, next, WARMUP_SECONDS);
    await hotline.ask({ type: "resetLoopDelay" }, "loopDelayReset");
    const serverBefore = Number((await hotline.ask({ type: "stats" }, "stats")).cpuMs);
    const databaseBefore = db.cpuMs();
    const hot = await load(`${baseUrl}/twilio/ivr`, next, MEASURE_SECONDS);
    const databaseAfter = db.cpuMs();
    const during = (await hotline.ask({ type: "stats" }, "stats")) as unknown as { cpuMs: number; inServerMs: PostgresRun["inServerMs"] };
    const lightDatabaseBefore = db.cpuMs();
    const light = await load(`${baseUrl}/twilio/ivr`, next, LIGHT_SECONDS, LIGHT_CONNECTIONS);
    const lightDatabase = ((db.cpuMs() - lightDatabaseBefore) * 1000) / light.requests;
    const lightServer = ((Number((await hotline.ask({ type: "stats" }, "stats")).cpuMs) - during.cpuMs) * 1000) / light.requests;
    const sent = cursor;
    await hotline.stop();
    const stepped = Number((await db.client.query<{ n: number }>("select count(*)::int as n from calls where ivr_node = 'main-menu'")).rows[0]!.n);
    const server = ((during.cpuMs - serverBefore) * 1000) / hot.requests;
    const database = ((databaseAfter - databaseBefore) * 1000) / hot.requests;
    return {
      arrival: { ...arrival, admitted: admitted.length },
      hot,
      light,
      cpuUs: { server, database, total: server + database },
      lightCpuUs: { server: lightServer, database: lightDatabase, total: lightServer + lightDatabase },
      inServerMs: during.inServerMs,
      sent,
      prepared: prepared.length,
      stepped,
      setupSeconds,
    };
  } finally {
    await hotline.stop().catch(() => {});
    await db.stop();
  }
}

export async function run(): Promise<SectionResult> {
  const dir = mkdtempSync(join(tmpdir(), "hotline-bench-webhook-"));
  const dbFile = join(dir, "hotline.db");
  // Every call created here keeps its line: capacity for all of them.
  const { hotline, baseUrl } = await startHotlineChild({ DB_FILE: dbFile }, COPIES + 200_000).catch((err: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  });
  let bare: Child | undefined;
  let floor: Child | undefined;
  try {

    // Phase 1: calls arrive (POST /twilio/voice, each a new CallSid): a figure of its own, no goal.
    let arrivals = 0;
    const arrive = () => prepare(baseUrl, "/twilio/voice", callParams(arrivals++, { CallStatus: "ringing" }));
    await load(`${baseUrl}/twilio/voice`, arrive, WARMUP_SECONDS);
    const arrival = await load(`${baseUrl}/twilio/voice`, arrive, ARRIVAL_SECONDS);
    const db = new Database(dbFile, { readonly: true });
    const admitted = (db.prepare("select sid from calls where ivr_node = 'language-menu' and ivr_retries = 0 order by sid").all() as Array<{ sid: string }>).map((r) => r.sid);
    db.close();
    if (admitted.length === 0) throw new Error("no call was admitted in the arrival phase");
    copyCalls(dbFile, admitted[0]!, arrivals + 1, COPIES);
    giveLinesBack(dbFile);

    // The yardstick: the same bodies, the same generator, a bare route; started now, for the alternated windows.
    const barePort = await freePort();
    bare = new Child("servers/bare-server.ts", [], { quiet: true, env: { PORT: String(barePort) } });
    await bare.next("ready");
    const bareUrl = `http://127.0.0.1:${barePort}/twilio/ivr`;
    // Context: the floor, a standalone server doing only what a durable step must, on the same file.
    const floorPort = await freePort();
    floor = new Child("servers/floor-server.ts", [], { quiet: true, env: { PORT: String(floorPort), DB_FILE: dbFile, SIGNED_BASE_URL: baseUrl } });
    await floor.next("ready");
    const floorUrl = `http://127.0.0.1:${floorPort}/twilio/ivr`;

    // Phase 2: the IVR step, each request on a call waiting in the language menu.
    const targets = [...admitted.map((sid) => parseInt(sid.slice(2), 16)), ...Array.from({ length: COPIES }, (_, k) => arrivals + 1 + k)];
    const prepared = targets.map((i) => ivrStep(baseUrl, i));
    const floorSteps = prepared.splice(prepared.length - FLOOR_CALLS);
    let floorCursor = 0;
    // Round and round: the floor server steps a call there and back (see its UPDATE).
    const floorNext = () => floorSteps[floorCursor++ % floorSteps.length]!;
    let cursor = 0;
    const next = () => prepared[cursor++ % prepared.length]!;
    await load(`${baseUrl}/twilio/ivr`, next, WARMUP_SECONDS);
    await hotline.ask({ type: "resetLoopDelay" }, "loopDelayReset");
    const cpuBefore = Number((await hotline.ask({ type: "stats" }, "stats")).cpuMs);
    const hot = await load(`${baseUrl}/twilio/ivr`, next, MEASURE_SECONDS);
    const duringIvr = (await hotline.ask({ type: "stats" }, "stats")) as unknown as {
      cpuMs: number;
      loopDelayMs: { p50: number; p99: number; max: number };
      inServerMs: { n: number; p50: number; p99: number; max: number };
    };
    const hotCpuUs = ((duringIvr.cpuMs - cpuBefore) * 1000) / hot.requests;
    // Context for the p99: with 200 connections each waits for the 199 ahead of it; at 20 it mostly does not.
    const light = await load(`${baseUrl}/twilio/ivr`, next, LIGHT_SECONDS, LIGHT_CONNECTIONS);
    const lightCpuUs = ((Number((await hotline.ask({ type: "stats" }, "stats")).cpuMs) - duringIvr.cpuMs) * 1000) / light.requests;
    // The CPU goal: step and bare route in alternated windows (see WINDOW_PAIRS), each server's CPU over its own.
    let bareCursor = 0;
    const bareNext = () => prepared[bareCursor++ % prepared.length]!;
    await load(bareUrl, bareNext, WARMUP_SECONDS);
    await load(floorUrl, floorNext, WARMUP_SECONDS);
    const [stepWindows, bareWindows, floorWindows] = await alternatedWindows([
      { server: hotline, url: `${baseUrl}/twilio/ivr`, next, seconds: WINDOW_SECONDS },
      { server: bare, url: bareUrl, next: bareNext, seconds: WINDOW_SECONDS },
      { server: floor, url: floorUrl, next: floorNext, seconds: FLOOR_WINDOW_SECONDS },
    ]);
    const windows = { step: stepWindows!, bare: bareWindows!, floor: floorWindows! };
    const ivrCpuUs = windows.step.cpuUs;
    const bareCpuUs = windows.bare.cpuUs;
    const floorCpuUs = windows.floor.cpuUs;
    await floor.stop();
    // Warmed over its own connections first (steadyLoad): the figure is the step's, not the sockets' set-up.
    await hotline.ask({ type: "resetLoopDelay" }, "loopDelayReset");
    const steady = await steadyLoad(baseUrl, () => asRequest(next()), STEADY_RATE, STEADY_SECONDS, CONNECTIONS, WARMUP_SECONDS);
    const sent = cursor;
    // The server's own view of the steady run (its warm-up included): how long its event loop was held up at most, and its time per request.
    const server = await hotline.ask({ type: "stats" }, "stats");
    const steadyInServer = server as unknown as { loopDelayMs: { max: number }; inServerMs: { p99: number } };
    await hotline.stop();
    const after = new Database(dbFile, { readonly: true });
    const stepped = (after.prepare("select count(*) as n from calls where ivr_node = 'main-menu'").get() as { n: number }).n;
    after.close();

    // The same step on PostgreSQL, in this run, so the two CPU figures meet the same machine.
    const postgres = await postgresRun();

    // The bare route's own run, as long as the step's, for req/s and latency beside it.
    const bareCpuBefore = Number((await bare.ask({ type: "stats" }, "stats")).cpuMs);
    const base = await load(bareUrl, bareNext, MEASURE_SECONDS);
    const bareRunCpuUs = ((Number((await bare.ask({ type: "stats" }, "stats")).cpuMs) - bareCpuBefore) * 1000) / base.requests;
    await bare.stop();

    const ratio = hot.rps / base.rps;
    const cpuShare = bareCpuUs / ivrCpuUs;
    const section = "webhook";
    // sent ≤ prepared: no request went to a call a second time. stepped ≤ sent: the last requests of a run
    // may still be in flight when autocannon stops, so a few sent ones may not have stepped.
    const runs = [hot, light, steady];
    const fresh = stepped <= sent && sent <= prepared.length && runs.every((r) => r.non2xx === 0 && r.errors === 0) && steady.answered === steady.sent;
    const pgRuns = [postgres.hot, postgres.light];
    const pgFresh = postgres.stepped <= postgres.sent && postgres.sent <= postgres.prepared && pgRuns.every((r) => r.non2xx === 0 && r.errors === 0);
    // SQLite's CPU is all in the hotline's process; PostgreSQL's is split between it and the database's.
    // Both engines' CPU from their own main runs (5 s at 200 connections), the same phase on each.
    const cpuRatio = postgres.cpuUs.total / hotCpuUs;
    const figures: Figure[] = [
      { section, figure: `bare Fastify route (constant TwiML), ${CONNECTIONS} connections`, value: round(base.rps, 0), unit: "req/s", pass: null },
      { section, figure: "bare Fastify route p50 / p99", value: `${base.p50} / ${base.p99}`, unit: "ms", pass: null },
      { section, figure: `signed IVR step, ${CONNECTIONS} connections`, value: round(hot.rps, 0), unit: "req/s", pass: null },
      { section, figure: "IVR step ÷ bare route (req/s, same run)", value: round(ratio, 3), pass: null },
      {
        section,
        // CPU per request moves far less than req/s when other work shares the machine.
        figure: `server CPU per request: bare route / IVR step (bare ÷ IVR step), ${WINDOW_PAIRS} × ${WINDOW_SECONDS} s of each in turn`,
        value: `${round(bareCpuUs, 0)} / ${round(ivrCpuUs, 0)} µs (${round(cpuShare, 3)})`,
        goal: `bare ÷ IVR step ≥ ${CPU_RATIO_GOAL}`,
        pass: goalAtLeast(cpuShare, CPU_RATIO_GOAL),
      },
      {
        section,
        // The floor: what the goal would be against a server doing only the durable write.
        figure: `the issue's floor (form, HMAC, conditional UPDATE + trail INSERT in a group commit): CPU per request, ÷ bare, ÷ IVR step`,
        value: `${round(floorCpuUs, 0)} µs, ${round(floorCpuUs / bareCpuUs, 2)}× bare, ${round(floorCpuUs / ivrCpuUs, 3)} of a step`,
        pass: null,
      },
      {
        section,
        figure: `the same from the two ${MEASURE_SECONDS}-second runs, minutes apart (context)`,
        value: `${round(bareRunCpuUs, 0)} / ${round(hotCpuUs, 0)} µs (${round(bareRunCpuUs / hotCpuUs, 3)})`,
        pass: null,
      },
      { section, figure: "IVR step p50", value: hot.p50, unit: "ms", pass: null },
      { section, figure: `IVR step p99, ${CONNECTIONS} connections (saturated)`, value: hot.p99, unit: "ms", pass: null },
      {
        section,
        figure: "IVR step p99 without each connection's first request",
        value: `${hot.afterFirst.p99 === null ? "n/a" : round(hot.afterFirst.p99, 0)} ms (${hot.connectionsAnswered} of ${CONNECTIONS} connections answered)`,
        pass: null,
      },
      {
        section,
        figure: `time inside the server per IVR step (${CONNECTIONS} connections), p50 / p99`,
        value: `${round(duringIvr.inServerMs.p50, 1)} / ${round(duringIvr.inServerMs.p99, 1)}`,
        unit: "ms",
        pass: null,
      },
      { section, figure: `IVR step, ${LIGHT_CONNECTIONS} connections: req/s, p50 / p99`, value: `${round(light.rps, 0)} req/s, ${light.p50} / ${light.p99} ms`, pass: null },
      {
        section,
        figure: `IVR step at a steady ${STEADY_RATE} req/s, ${CONNECTIONS} connections: p50 / p99`,
        value: `${round(steady.p50 ?? NaN, 1)} / ${round(steady.p99 ?? NaN, 1)} ms (${steady.answered} of ${steady.sent} answered; the generator's longest stall ${steady.generatorStallMs} ms; the server's ${round(steadyInServer.loopDelayMs.max, 0)} ms, its time per request p99 ${round(steadyInServer.inServerMs.p99, 1)} ms)`,
        goal: `p99 < ${STEADY_P99_GOAL_MS} ms`,
        pass: goalBelow(steady.p99, STEADY_P99_GOAL_MS) && steady.answered === steady.sent,
      },
      { section, figure: "IVR requests that stepped a call waiting in the menu", value: `${stepped} stepped, ${sent} sent`, goal: "none repeated, all 2xx", pass: fresh },
      { section, figure: `call arrival (POST /twilio/voice), ${CONNECTIONS} connections`, value: `${round(arrival.rps, 0)} req/s, p99 ${arrival.p99} ms`, pass: null },
      {
        section,
        figure: `PostgreSQL: signed IVR step, ${CONNECTIONS} connections: req/s, p50 / p99 (SQLite's beside)`,
        value: `${round(postgres.hot.rps, 0)} req/s, ${postgres.hot.p50} / ${postgres.hot.p99} ms (SQLite ${round(hot.rps, 0)} req/s, ${hot.p50} / ${hot.p99} ms)`,
        pass: null,
      },
      {
        section,
        figure: `CPU per IVR step: SQLite (hotline process) / PostgreSQL (hotline + database processes), ${CONNECTIONS} conn.; ${LIGHT_CONNECTIONS} conn.`,
        value:
          `${round(hotCpuUs, 0)} / ${round(postgres.cpuUs.server, 0)} + ${round(postgres.cpuUs.database, 0)} = ${round(postgres.cpuUs.total, 0)} µs; ` +
          `${round(lightCpuUs, 0)} / ${round(postgres.lightCpuUs.server, 0)} + ${round(postgres.lightCpuUs.database, 0)} = ${round(postgres.lightCpuUs.total, 0)} µs`,
        pass: null,
      },
      {
        section,
        figure: `CPU per IVR step, PostgreSQL ÷ SQLite, ${CONNECTIONS} conn. (hotline process alone); ${LIGHT_CONNECTIONS} conn.`,
        value: `${round(cpuRatio, 2)} (${round(postgres.cpuUs.server / hotCpuUs, 2)}); ${round(postgres.lightCpuUs.total / lightCpuUs, 2)}`,
        goal: `≤ ${PG_CPU_GOAL}`,
        pass: Number.isFinite(cpuRatio) && cpuRatio <= PG_CPU_GOAL,
      },
      {
        section,
        figure: `PostgreSQL: time inside the server per IVR step (${CONNECTIONS} connections), p50 / p99`,
        value: `${round(postgres.inServerMs.p50, 1)} / ${round(postgres.inServerMs.p99, 1)}`,
        unit: "ms",
        pass: null,
      },
      {
        section,
        figure: `PostgreSQL: IVR step, ${LIGHT_CONNECTIONS} connections: req/s, p50 / p99`,
        value: `${round(postgres.light.rps, 0)} req/s, ${postgres.light.p50} / ${postgres.light.p99} ms`,
        pass: null,
      },
      { section, figure: "PostgreSQL: IVR requests that stepped a call waiting in the menu", value: `${postgres.stepped} stepped, ${postgres.sent} sent`, goal: "none repeated, all 2xx", pass: pgFresh },
      { section, figure: `PostgreSQL: call arrival (POST /twilio/voice), ${CONNECTIONS} connections`, value: `${round(postgres.arrival.rps, 0)} req/s, p99 ${postgres.arrival.p99} ms`, pass: null },
    ];
    return {
      section,
      figures,
      details: {
        connections: CONNECTIONS,
        warmupSeconds: WARMUP_SECONDS,
        measureSeconds: MEASURE_SECONDS,
        hotline: hot,
        hotlineLight: { ...light, connections: LIGHT_CONNECTIONS, seconds: LIGHT_SECONDS },
        hotlineSteady: { ...steady, connections: CONNECTIONS, seconds: STEADY_SECONDS },
        bare: base,
        ratio,
        cpuPerRequestUs: { bare: bareCpuUs, ivr: ivrCpuUs, floor: floorCpuUs, windows, bareRun: bareRunCpuUs, ivrRun: hotCpuUs, ivrLight: lightCpuUs },
        postgres: {
          ...postgres,
          cpuRatio,
          setup: "PostgreSQL of the bench's own (test/support/postgres.ts: fsync, synchronous_commit and full_page_writes off), CPU of every process of its cluster read from /proc (10 ms ticks)",
        },
        arrival: { ...arrival, seconds: ARRIVAL_SECONDS, admitted: admitted.length },
        callsCopied: { sqlite: COPIES, postgres: PG_COPIES },
        ivrRequestsSent: sent,
        callsStepped: stepped,
        server: { rssMb: server.rssMb, peakRssMb: server.peakRssMb, heapUsedMb: server.heapUsedMb },
        serverDuringIvr: { eventLoopDelayMs: duringIvr.loopDelayMs, timeInServerMs: duringIvr.inServerMs },
        setup: "servers in child processes (the hotline bundled as npm start runs it, the bare route through tsx), LOG_LEVEL=info with stdout to /dev/null; autocannon in the bench process",
      },
    };
  } finally {
    await hotline.stop().catch(() => {});
    await bare?.stop().catch(() => {});
    await floor?.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}
