// Section 7: what a call arrival costs (POST /twilio/voice) against a signed IVR step, with 10k and with 1M
// calls stored, at 30 and at 1,000 lines, most of them held. Issue 16: an arrival costs at most 1.5× the
// CPU of a step, and its cost must not grow with the calls stored or held.
//
// Each case runs its own hotline child (as section 1 does, and with its load generator, signing and CPU
// figures), on a database filled as section 4 fills it. The lines: `lines − 1` held by live calls that
// stay, the capacity raised above `lines` by a headroom, and the lines the arrivals take given back every
// few ms (by the server, on its own connection, its CPU for it left out). So every arrival is admitted while
// the lines held stay about `lines` — the work of counting them — instead of climbing with every arrival.
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { Child } from "../lib/child.js";
import { round, type Figure, type SectionResult } from "../lib/figures.js";
import { startHotlineChild } from "../lib/hotline-child.js";
import { seededRandom } from "../lib/stats.js";
import { fill } from "./backlog.js";
import { alternatedWindows, callParams, copyCalls, ivrStep, load, prepare, WINDOW_PAIRS, WINDOW_SECONDS } from "./webhook.js";

const STORED = (process.env.BENCH_ARRIVAL_STORED ?? "10000,1000000").split(",").map(Number);
const LINES = [30, 1_000];
/** Capacity above `lines`: room for the arrivals between two give-backs, so none overflows. */
const HEADROOM = 1_000;
const RELEASE_EVERY_MS = 20;
/**
 * Fewer than section 1's 200: CPU is read when the generator stops, with the answers still in flight
 * counted in it but not among the requests, and on a busy machine 200 of them skewed a 3 s run.
 */
const CONNECTIONS = 50;
const WARMUP_SECONDS = 1;
/** Calls copied for each case's IVR run: more than it can step through in warm-up and measurement (9 s at 13,500 steps a second on a quiet machine). */
const STEP_CALLS = 200_000;
/** One arrival in five from a number that called within the returning-caller window (as in the storm). */
const RETURNING_EVERY = 5;
const RETURNING_WITHIN_DAYS = 30;
const ARRIVAL_GOAL = 1.5;
const SEED = 4100;
/** BENCH_ARRIVAL_PROFILE=<dir>: a V8 CPU profile of each case's timed arrivals there (the figures then include its cost). */
const PROFILE_DIR = process.env.BENCH_ARRIVAL_PROFILE;
/** Live calls that keep their lines for the whole case; everything else is given back. */
const HELD_PREFIX = "CAheld";

interface Case {
  stored: number;
  lines: number;
  arrivalCpuUs: number;
  stepCpuUs: number;
  arrivalRps: number;
  stepRps: number;
  arrivals: number;
  overflowed: number;
  heldDuringArrivals: { mean: number; max: number };
  steps: number;
  stepsSent: number;
  errors: number;
}

/** Stores the live calls that hold `lines − 1` lines for the whole case (before its server starts). */
function holdLines(dbFile: string, lines: number): void {
  const db = new Database(dbFile);
  db.pragma("busy_timeout = 10000");
  const insert = db.prepare(
    `insert into calls (sid, direction, from_raw, to_raw, state, priority, ivr_retries, ivr_path, holds_line, created_at, connected_at)
     values (?, 'inbound', 'anonymous', '+6621300000', 'connected', 'normal', 0, '[]', 1, ?, ?)`,
  );
  const now = Date.now();
  db.transaction(() => {
    db.prepare(`delete from calls where sid like '${HELD_PREFIX}%'`).run();
    db.prepare(`update calls set holds_line = 0 where holds_line`).run();
    for (let i = 0; i < lines - 1; i++) insert.run(`${HELD_PREFIX}${String(i).padStart(28, "0")}`, now, now);
  })();
  db.close();
}

/**
 * Gives back, every few ms, the lines the arrivals took (the server does it on its own connection, and
 * tells the CPU it took, which is left out of the arrival's), and notes how many were held each time.
 */
function lineGiver(hotline: Child) {
  const held: number[] = [];
  let cpuUs = 0;
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  /** The latest give-back: one at a time, and `pause` waits for the one under way. */
  let latest: Promise<void> = Promise.resolve();
  /** Whether the lines held are noted: during the arrival windows only. */
  let noting = false;
  const releaseOnce = async () => {
    const m = await hotline.ask({ type: "releaseLines", keep: HELD_PREFIX }, "linesReleased");
    if (noting) held.push(Number(m.held));
    cpuUs += Number(m.cpuUs);
  };
  const release = () => (latest = latest.then(releaseOnce));
  const tick = () => {
    timer = setTimeout(() => void release().then(() => running && tick()), RELEASE_EVERY_MS);
  };
  return {
    release,
    start() {
      running = true;
      tick();
    },
    /** Notes the lines held at each give-back from now on (true), or no longer (false). */
    note(on: boolean) {
      noting = on;
    },
    /** No more give-backs until start; resolves once the one under way, if any, is done. */
    async pause() {
      running = false;
      clearTimeout(timer);
      await latest;
    },
    /** CPU the releases took since the last call, in µs. */
    takeCpuUs() {
      const used = cpuUs;
      cpuUs = 0;
      return used;
    },
    async stop() {
      running = false;
      clearTimeout(timer);
      await release();
      const seen = held.splice(0);
      return { mean: seen.reduce((a, b) => a + b, 0) / Math.max(1, seen.length), max: Math.max(0, ...seen) };
    },
  };
}

/** Numbers that called within the returning-caller window and chose a language: the returning callers. */
function returningNumbers(dbFile: string, now: number): string[] {
  const db = new Database(dbFile, { readonly: true });
  const rows = db
    .prepare("select from_e164 from calls where from_e164 is not null and language is not null and direction = 'inbound' and created_at >= ? group by from_e164 limit 500")
    .pluck()
    .all(now - RETURNING_WITHIN_DAYS * 86_400_000) as string[];
  db.close();
  if (rows.length === 0) throw new Error("no caller in the stored history is within the returning-caller window");
  return rows;
}

/** Waits until the server's CPU rests (start-up work such as the retention run is done). */
async function quiet(hotline: Child): Promise<void> {
  const cpu = async () => Number((await hotline.ask({ type: "stats" }, "stats")).cpuMs);
  let before = await cpu();
  for (let i = 0; i < 60; i++) {
    await new Promise((r) => setTimeout(r, 500));
    const now = await cpu();
    if (now - before < 25) return;
    before = now;
  }
}

let nextArrival = 2_000_000;
let nextCopy = 8_000_000;

async function runCase(dbFile: string, stored: number, lines: number, returning: string[]): Promise<Case> {
  holdLines(dbFile, lines);
  const { hotline, baseUrl } = await startHotlineChild({ DB_FILE: dbFile }, lines + HEADROOM, 120_000);
  try {
    await quiet(hotline);
    const firstArrival = nextArrival;
    const arrive = () => {
      const i = nextArrival++;
      const number = i % RETURNING_EVERY === 0 ? returning[(i / RETURNING_EVERY) % returning.length]! : undefined;
      const from: Record<string, string> = number ? { From: number, Caller: number } : {};
      return prepare(baseUrl, "/twilio/voice", callParams(i, { CallStatus: "ringing", ...from }));
    };
    const giver = lineGiver(hotline);
    giver.start();
    await load(`${baseUrl}/twilio/voice`, arrive, WARMUP_SECONDS, CONNECTIONS);
    await giver.release();
    await giver.pause();

    // The IVR step on copies of one admitted call waiting in the language menu (as in section 1), copied
    // while the server rests (the copy holds the database's write lock).
    const db = new Database(dbFile, { readonly: true });
    const sidOf = (i: number) => `CA${i.toString(16).padStart(32, "0")}`;
    const template = db.prepare("select sid from calls where sid >= ? and ivr_node = 'language-menu' and ivr_retries = 0 and state = 'ivr' limit 1").pluck().get(sidOf(firstArrival)) as string | undefined;
    db.close();
    if (!template) throw new Error("no arrival was admitted to the language menu");
    const firstCopy = nextCopy;
    nextCopy += STEP_CALLS;
    copyCalls(dbFile, template, firstCopy, STEP_CALLS);
    let cursor = 0;
    const step = () => ivrStep(baseUrl, firstCopy + Math.min(cursor++, STEP_CALLS - 1));
    await load(`${baseUrl}/twilio/ivr`, step, WARMUP_SECONDS, CONNECTIONS);

    // Arrivals and steps in alternated windows (as section 1's CPU goal): measured one after the other, a
    // shared machine's other work moved one and not the other (one run gave 2.0 in a case where the others
    // gave 1.27–1.41, its step alone 138 µs against 156–210).
    const measuredFrom = nextArrival;
    giver.start();
    if (PROFILE_DIR) await hotline.ask({ type: "profileStart", intervalUs: 100 }, "profileStarted");
    // The give-backs' CPU is the server's, not the window's work: left out. Lines held are noted in arrival windows.
    const givingBack = (arrivals: boolean) => () => {
      giver.takeCpuUs();
      giver.note(arrivals);
      return () => giver.takeCpuUs() / 1000;
    };
    const [arrivalWindows, stepWindows] = await alternatedWindows(
      [
        { server: hotline, url: `${baseUrl}/twilio/voice`, next: arrive, seconds: WINDOW_SECONDS, around: givingBack(true) },
        { server: hotline, url: `${baseUrl}/twilio/ivr`, next: step, seconds: WINDOW_SECONDS, around: givingBack(false) },
      ],
      WINDOW_PAIRS,
      CONNECTIONS,
    );
    const sums = { arrival: arrivalWindows!, step: stepWindows! };
    if (PROFILE_DIR) await hotline.ask({ type: "profileStop", file: join(PROFILE_DIR, `arrival-${stored}-${lines}.cpuprofile`) }, "profileStopped");
    const heldDuringArrivals = await giver.stop();
    if (cursor >= STEP_CALLS) throw new Error(`the IVR run stepped every copied call (${STEP_CALLS}): copy more`);
    const after = new Database(dbFile, { readonly: true });
    const overflowed = after.prepare("select count(*) from calls where sid >= ? and sid < ? and outcome = 'overflow'").pluck().get(sidOf(measuredFrom), sidOf(nextArrival)) as number;
    after.close();
    const seconds = WINDOW_PAIRS * WINDOW_SECONDS;
    const arrivals = { requests: sums.arrival.requests, rps: sums.arrival.requests / seconds };
    const steps = { requests: sums.step.requests, rps: sums.step.requests / seconds };
    const arrivalCpuUs = sums.arrival.cpuUs;
    const stepCpuUs = sums.step.cpuUs;
    return {
      stored,
      lines,
      arrivalCpuUs,
      stepCpuUs,
      arrivalRps: arrivals.rps,
      stepRps: steps.rps,
      arrivals: arrivals.requests,
      overflowed,
      heldDuringArrivals,
      steps: steps.requests,
      stepsSent: cursor,
      errors: sums.arrival.failed + sums.step.failed,
    };
  } finally {
    await hotline.stop().catch(() => {});
  }
}

export async function run(): Promise<SectionResult> {
  const cases: Case[] = [];
  const fills: Record<string, number> = {};
  for (const stored of STORED) {
    const dir = mkdtempSync(join(tmpdir(), "hotline-bench-arrival-"));
    try {
      const dbFile = join(dir, "hotline.db");
      const now = Date.now();
      fills[stored] = round(fill(dbFile, seededRandom(SEED), now, stored).seconds, 1);
      const returning = returningNumbers(dbFile, now);
      for (const lines of LINES) cases.push(await runCase(dbFile, stored, lines, returning));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const section = "arrival";
  const k = (n: number) => (n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1_000}k`);
  const figures: Figure[] = cases.map((c) => {
    const ratio = c.arrivalCpuUs / c.stepCpuUs;
    return {
      section,
      figure: `CPU per arrival ÷ per IVR step, ${k(c.stored)} calls stored, ${c.lines} lines (${c.lines - 1} held by live calls)`,
      // The arrivals' own lines are given back every few ms: the mean held while they came is shown.
      value: `${round(ratio, 2)} (${round(c.arrivalCpuUs, 0)} / ${round(c.stepCpuUs, 0)} µs; ${round(c.heldDuringArrivals.mean, 0)} held on average)`,
      goal: `≤ ${ARRIVAL_GOAL}`,
      pass: c.errors === 0 && c.overflowed === 0 && Number.isFinite(ratio) && ratio <= ARRIVAL_GOAL,
    };
  });
  for (const lines of LINES) {
    const row = cases.filter((c) => c.lines === lines);
    figures.push({
      section,
      figure: `CPU per arrival, ${row.map((c) => k(c.stored)).join(" / ")} calls stored, ${lines} lines`,
      value: `${row.map((c) => round(c.arrivalCpuUs, 0)).join(" / ")} µs`,
      pass: null,
    });
  }
  figures.push({
    section,
    figure: `arrivals / IVR steps per second, ${CONNECTIONS} connections (by case)`,
    value: cases.map((c) => `${round(c.arrivalRps, 0)}/${round(c.stepRps, 0)}`).join(", "),
    pass: null,
  });
  return {
    section,
    figures,
    details: {
      cases,
      fillSeconds: fills,
      connections: CONNECTIONS,
      warmupSeconds: WARMUP_SECONDS,
      windows: { pairs: WINDOW_PAIRS, seconds: WINDOW_SECONDS },
      headroom: HEADROOM,
      releaseEveryMs: RELEASE_EVERY_MS,
      loadAverageAfter: loadavg(),
    },
  };
}
