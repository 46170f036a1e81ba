// Section 4: the backlog at scale. A database with a year of history — 1,000,000 calls, their queue entries
// and 100,000 callback items, a few thousand of them open — written with raw prepared statements in one
// transaction; then the supervisor's two busiest reads, GET /api/callbacks?status=open (first page) and
// GET /api/stats, against a hotline server in its own process: 200 sequential requests each, then a short
// run with 10 concurrent connections.
import autocannon from "autocannon";
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inArray } from "drizzle-orm";
import { openDatabase } from "../../db/connection.js";
import { tables, type Db } from "../../db/storage.js";
import { urgentFirst } from "../../src/callbacks/backlog-order.js";
import { startOf } from "../../src/reports/time-buckets.js";
import { hashToken } from "../../src/users/user-store.js";
import { Child } from "../lib/child.js";
import { goalBelow, round, type Figure, type SectionResult } from "../lib/figures.js";
import { monotonicMs } from "../lib/hrtime.js";
import { startHotlineChild } from "../lib/hotline-child.js";
import { percentile, seededRandom, weighted, type Random } from "../lib/stats.js";

const CALLS = Number(process.env.BENCH_BACKLOG_CALLS ?? 1_000_000);
const CALLBACKS = Number(process.env.BENCH_BACKLOG_CALLBACKS ?? 100_000);
const OPEN_ITEMS = 3_000;
const CLAIMED_ITEMS = 150;
const DAYS = 365;
const NUMBERS = 350_000;
const SEQUENTIAL = 200;
const CONCURRENCY = 10;
const CONCURRENT_SECONDS = 3;
const SEED = 3900;
const SUPERVISOR_TOKEN = "bench-supervisor-token-0123456789";

const LANGS = [["th", 60], ["my", 13], ["km", 9], ["lo", 7], ["vi", 3], ["zh", 3], ["mfa", 3], ["en", 2]] as const;
const TOPICS = [["violence", 35], ["trafficking", 15], ["pregnancy", 12], ["child_labour", 8], ["other", 30]] as const;
const OUTCOMES = [["answered", 62], ["abandoned_queue", 12], ["abandoned_ivr", 7], ["abandoned_ringing", 1], ["overflow", 12], ["callback_requested", 6]] as const;
const REASONS = [["overflow", 30], ["abandoned_queue", 35], ["abandoned_ivr", 15], ["abandoned_ringing", 2], ["requested", 13], ["no_answer", 5]] as const;
const DAY = 86_400_000;

const number = (i: number) => `+668${String(10_000_000 + i).slice(-8)}`;

/**
 * A year of history, written the fast way: raw prepared statements, one transaction. `calls` is this
 * section's million unless given (section "arrival" fills 10k and 1M).
 */
export function fill(dbFile: string, rnd: Random, now: number, calls = CALLS) {
  const db = openDatabase(dbFile);
  const sqlite = db.$client;
  const started = monotonicMs();
  // Bulk-load settings for this one writer: no journal, a big page cache, and the tables' secondary
  // indexes dropped during the load and built again after it (sorting once beats a million B-tree inserts).
  sqlite.pragma("journal_mode = OFF");
  sqlite.pragma("synchronous = OFF");
  sqlite.pragma("cache_size = -262144");
  const indexes = sqlite
    .prepare("select name, sql from sqlite_master where type = 'index' and sql is not null and tbl_name in ('calls', 'queue_entries', 'callbacks')")
    .all() as Array<{ name: string; sql: string }>;
  for (const index of indexes) sqlite.exec(`drop index "${index.name}"`);
  const insertCall = sqlite.prepare(
    `insert into calls (sid, direction, from_raw, from_e164, to_raw, state, outcome, language, topic, priority, ivr_node, ivr_retries, ivr_path,
       holds_line, carrier_status, agent_id, queue_position, created_at, queued_at, offered_at, connected_at, ended_at)
     values (?, 'inbound', ?, ?, '+6621300000', 'ended', ?, ?, ?, ?, ?, 0, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertEntry = sqlite.prepare(
    `insert into queue_entries (call_sid, kind, language, priority, enqueued_at, status, agent_id, offered_at, offers, ended_reason)
     values (?, 'live', ?, ?, ?, 'done', ?, ?, ?, ?)`,
  );
  const insertItem = sqlite.prepare(
    `insert into callbacks (number, number_raw, language, topic, priority, reason, missed_calls, first_missed_at, last_missed_at, last_call_sid,
       due_at, attempts, next_attempt_at, status, claimed_by, claim_expires_at, closed_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, null, ?, ?, ?, ?)`,
  );
  const insertUser = sqlite.prepare(
    `insert into users (id, name, role, token_hash, languages, endpoint, status, status_since, idle_since, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const agentIds = Array.from({ length: 60 }, (_, i) => `ag_bench${String(i).padStart(4, "0")}`);
  // Arrival times across the year, oldest first (rowid order follows time, as it does in a live database).
  const times = new Float64Array(calls);
  for (let i = 0; i < calls; i++) times[i] = now - Math.floor(rnd() * DAYS * DAY);
  times.sort();
  const mix = { outcomes: {} as Record<string, number>, today: 0 };
  sqlite.transaction(() => {
    agentIds.forEach((id, i) => {
      // Nobody is available: nothing gets routed (and nobody dialled) while the reads are measured.
      const status = i < 40 ? "offline" : i < 50 ? "break" : "wrap_up";
      insertUser.run(id, `Agent ${i + 1}`, "agent", hashToken(`bench-agent-${i}`), JSON.stringify(["th", LANGS[1 + (i % 7)]![0]]), `client:bench_agent_${i}`, status, now, now, now - 200 * DAY);
    });
    insertUser.run("us_benchsuper", "Duty supervisor", "supervisor", hashToken(SUPERVISOR_TOKEN), "[]", null, "offline", now, null, now - 200 * DAY);
    for (let i = 0; i < calls; i++) {
      const at = times[i]!;
      const sid = `CA${i.toString(16).padStart(32, "0")}`;
      // Four calls in five from someone who called before: a long tail of repeat callers.
      const caller = rnd() < 0.8 ? Math.floor(rnd() * rnd() * NUMBERS) : Math.floor(rnd() * NUMBERS);
      const from = rnd() < 0.01 ? null : number(caller);
      const outcome = weighted(rnd, OUTCOMES);
      const language = outcome === "overflow" ? null : weighted(rnd, LANGS);
      const chose = outcome !== "overflow" && outcome !== "abandoned_ivr";
      const topic = chose ? weighted(rnd, TOPICS) : null;
      const priority = chose && rnd() < 0.04 ? "emergency" : "normal";
      const queuedAt = chose ? at + 15_000 + Math.floor(rnd() * 25_000) : null;
      const waited = Math.floor(rnd() * 240_000);
      const answered = outcome === "answered";
      const agent = answered || outcome === "abandoned_ringing" ? agentIds[Math.floor(rnd() * agentIds.length)]! : null;
      const offeredAt = agent ? queuedAt! + waited : null;
      const connectedAt = answered ? offeredAt! + 4_000 : null;
      const endedAt = outcome === "overflow" ? at : answered ? connectedAt! + 60_000 + Math.floor(rnd() * 900_000) : (queuedAt ?? at + 10_000) + waited;
      const path = outcome === "overflow" ? "[]" : JSON.stringify([
        { node: "language-menu", at, input: "1", language: language ?? undefined },
        ...(chose ? [{ node: "main-menu", at: at + 8_000, input: "5", language: language ?? undefined }, { node: priority === "emergency" ? "emergency-queue" : "queue", at: queuedAt }] : []),
      ]);
      insertCall.run(sid, from ?? "anonymous", from, outcome, language, topic, priority, chose ? "queue" : outcome === "overflow" ? null : "language-menu", path,
        outcome === "overflow" ? null : "completed", agent, chose && !answered ? 1 + Math.floor(rnd() * 30) : null, at, queuedAt, offeredAt, connectedAt, endedAt);
      if (chose) insertEntry.run(sid, language, priority, queuedAt, agent, offeredAt, agent ? 1 : 0, answered ? "answered" : `abandoned_${outcome === "abandoned_ringing" ? "ringing" : "queued"}`);
      mix.outcomes[outcome] = (mix.outcomes[outcome] ?? 0) + 1;
      if (at >= startOf("Asia/Bangkok", now, "day")) mix.today += 1;
    }
    // Callback items: most closed long ago; a few thousand open, most of them overdue, none sharing a number.
    const openNumbers = new Set<number>();
    for (let i = 0; i < CALLBACKS; i++) {
      const open = i >= CALLBACKS - OPEN_ITEMS - CLAIMED_ITEMS;
      const claimed = i >= CALLBACKS - CLAIMED_ITEMS;
      let n: number;
      if (open) {
        do n = Math.floor(rnd() * NUMBERS);
        while (openNumbers.has(n));
        openNumbers.add(n);
      } else n = Math.floor(rnd() * NUMBERS);
      const first = open ? now - Math.floor(rnd() * 7 * DAY) : now - Math.floor(rnd() * DAYS * DAY);
      const missed = 1 + Math.floor(rnd() * rnd() * 4);
      const last = first + (missed - 1) * Math.floor(rnd() * 3_600_000);
      const priority = rnd() < 0.05 ? "emergency" : "normal";
      const due = first + (priority === "emergency" ? 15 : 120) * 60_000;
      const reason = weighted(rnd, REASONS);
      const status = open ? (claimed ? "claimed" : "open") : weighted(rnd, [["reached", 70], ["unreachable", 22], ["not_callable", 8]] as const);
      const callable = status !== "not_callable";
      insertItem.run(callable ? number(n) : null, callable ? number(n) : "anonymous", weighted(rnd, LANGS), weighted(rnd, TOPICS), priority, reason, missed, first, last,
        `CA${(calls + i).toString(16).padStart(32, "0")}`, due, open ? Math.floor(rnd() * 2) : 1 + Math.floor(rnd() * 3), status,
        claimed ? agentIds[0]! : null, claimed ? now + 5 * 60_000 : null, open ? null : last + Math.floor(rnd() * DAY));
    }
  })();
  for (const index of indexes) sqlite.exec(index.sql);
  // No ANALYZE: the hotline never runs it, so the planner here plans as it does in production.
  sqlite.pragma("journal_mode = WAL");
  sqlite.close();
  // The load ran without syncs: flush it to disk now, or the server's first checkpoint pays for 600 MB of
  // writeback in the middle of the measurement (a production database has long been on disk).
  const fd = openSync(dbFile, "r+");
  fsyncSync(fd);
  closeSync(fd);
  const seconds = (monotonicMs() - started) / 1000;
  return { seconds, mix };
}

/**
 * How SQLite reads the page measured here: the route's ordering (src/callbacks/backlog-order.ts) over the
 * open items, as EXPLAIN QUERY PLAN tells it. "USE TEMP B-TREE FOR ORDER BY" would mean every open item
 * is read and sorted on each request.
 */
function pagePlan(dbFile: string): string {
  const db = openDatabase(dbFile);
  try {
    const { callbacks } = tables(db as unknown as Db);
    const page = db.select().from(callbacks).where(inArray(callbacks.status, ["open"])).orderBy(...urgentFirst(db as unknown as Db)).limit(50).toSQL();
    const plan = db.$client.prepare(`explain query plan ${page.sql}`).all(...page.params) as Array<{ detail: string }>;
    return plan.map((step) => step.detail).join("; ");
  } finally {
    db.$client.close();
  }
}

async function sequential(url: string, token: string, n: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n + 20; i++) {
    const t = monotonicMs();
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    await res.text();
    if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
    // The first 20 warm the server up (statement compilation, page cache) and are not counted.
    if (i >= 20) times.push(monotonicMs() - t);
  }
  return times;
}

async function concurrent(url: string, token: string) {
  const r = await autocannon({ url, connections: CONCURRENCY, duration: CONCURRENT_SECONDS, headers: { authorization: `Bearer ${token}` } });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors };
}

export async function run(): Promise<SectionResult> {
  const dir = mkdtempSync(join(tmpdir(), "hotline-bench-backlog-"));
  const dbFile = join(dir, "hotline.db");
  const rnd = seededRandom(SEED);
  let server: Child | undefined;
  try {
    const now = Date.now();
    const filled = fill(dbFile, rnd, now);
    const started = await startHotlineChild({ DB_FILE: dbFile }, undefined, 300_000);
    server = started.hotline;
    const base = started.baseUrl;
    const endpoints = { callbacks: `${base}/api/callbacks?status=open`, stats: `${base}/api/stats` };
    const check = await fetch(endpoints.callbacks, { headers: { authorization: `Bearer ${SUPERVISOR_TOKEN}` } });
    const page = (await check.json()) as { items: unknown[]; total: number };
    const seqCallbacks = await sequential(endpoints.callbacks, SUPERVISOR_TOKEN, SEQUENTIAL);
    const seqStats = await sequential(endpoints.stats, SUPERVISOR_TOKEN, SEQUENTIAL);
    // The server's own view of each concurrent run: time inside it per request, and event-loop delay.
    const inside = async (run: () => Promise<Awaited<ReturnType<typeof concurrent>>>) => {
      await server!.ask({ type: "resetLoopDelay" }, "loopDelayReset");
      const result = await run();
      const m = await server!.ask({ type: "stats" }, "stats");
      return { ...result, timeInServerMs: m.inServerMs, eventLoopDelayMs: m.loopDelayMs };
    };
    const conCallbacks = await inside(() => concurrent(endpoints.callbacks, SUPERVISOR_TOKEN));
    const conStats = await inside(() => concurrent(endpoints.stats, SUPERVISOR_TOKEN));
    const memory = await server.ask({ type: "stats" }, "stats");
    const plan = pagePlan(dbFile);
    const p99c = percentile(seqCallbacks, 99);
    const p99s = percentile(seqStats, 99);
    const ms = (n: number | null) => (n === null ? null : round(n, 1));
    const section = "backlog";
    const figures: Figure[] = [
      {
        section,
        figure: `database: calls / callback items (open)`,
        value: `${CALLS.toLocaleString("en")} / ${CALLBACKS.toLocaleString("en")} (${page.total.toLocaleString("en")})`,
        pass: null,
      },
      { section, figure: "GET /api/callbacks?status=open, SQLite's plan of the page", value: plan, pass: null },
      { section, figure: "GET /api/callbacks?status=open, 200 sequential, p50", value: ms(percentile(seqCallbacks, 50)), unit: "ms", pass: null },
      { section, figure: "GET /api/callbacks?status=open, 200 sequential, p99", value: ms(p99c), unit: "ms", goal: "< 50 ms", pass: goalBelow(p99c, 50) },
      { section, figure: `GET /api/callbacks?status=open, ${CONCURRENCY} connections: req/s, p99`, value: `${round(conCallbacks.rps, 0)} req/s, ${conCallbacks.p99} ms`, goal: "p99 < 50 ms", pass: goalBelow(conCallbacks.p99, 50) && conCallbacks.non2xx === 0 },
      { section, figure: "GET /api/stats, 200 sequential, p50", value: ms(percentile(seqStats, 50)), unit: "ms", pass: null },
      { section, figure: "GET /api/stats, 200 sequential, p99", value: ms(p99s), unit: "ms", goal: "< 50 ms", pass: goalBelow(p99s, 50) },
      { section, figure: `GET /api/stats, ${CONCURRENCY} connections: req/s, p99`, value: `${round(conStats.rps, 0)} req/s, ${conStats.p99} ms`, goal: "p99 < 50 ms", pass: goalBelow(conStats.p99, 50) && conStats.non2xx === 0 },
    ];
    return {
      section,
      figures,
      details: {
        calls: CALLS,
        callbackItems: CALLBACKS,
        openItemsListed: page.total,
        firstPageItems: page.items.length,
        fillSeconds: round(filled.seconds, 1),
        dbFileMb: round(statSync(dbFile).size / 1048576, 0),
        callOutcomes: filled.mix.outcomes,
        callsToday: filled.mix.today,
        sequential: {
          callbacks: { p50: percentile(seqCallbacks, 50), p90: percentile(seqCallbacks, 90), p99: p99c, max: Math.max(...seqCallbacks) },
          stats: { p50: percentile(seqStats, 50), p90: percentile(seqStats, 90), p99: p99s, max: Math.max(...seqStats) },
        },
        concurrent: { connections: CONCURRENCY, seconds: CONCURRENT_SECONDS, callbacks: conCallbacks, stats: conStats },
        serverRssMb: memory.rssMb,
        notStored: "the events table (a year would hold ~10M rows) is left empty: neither read touches it",
      },
    };
  } finally {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
