// Section 2: a call storm. 2,000 simulated callers dial the hotline through the built-in carrier (real HTTP
// both ways) against 100 lines and 60 agents whose phones answer by themselves. Time is compressed with the
// ManualClock: the simulation moves in one-second ticks, and every tick lets all HTTP work settle first.
//
// The callers' own record (what each of them went through, seen from the carrier) is the yardstick the
// server's database is checked against.
//
// The crowd and its checks (driveStorm, checkStorm) serve section "cluster" too: the same storm through a
// balancer to two instances on one PostgreSQL.
import Database from "better-sqlite3";
import type { Carrier, SimCall } from "../../src/carrier/index.js";
import type { ManualClock } from "../../src/clock.js";
import { LANGUAGES } from "../../src/languages.js";
import type { LiveFigures } from "../../src/stats/live-figures.js";
import type { Figure, SectionResult } from "../lib/figures.js";
import { round } from "../lib/figures.js";
import { peakRssMb, RssSampler } from "../lib/memory.js";
import { startRig, type Rig } from "../lib/rig.js";
import { exponential, intBetween, seededRandom, weighted, type Random } from "../lib/stats.js";

export const CALLERS = 2000;
export const LINES = 100;
export const AGENTS = 60;
const SEED = 1300;
export const WRAP_UP_SECONDS = 10;
/** Simulated minutes over which callers arrive, and the surges within them (minute → rate factor). */
const ARRIVAL_MINUTES = 30;
const SURGES: Record<number, number> = { 4: 2, 5: 3, 6: 3, 7: 2, 17: 2, 18: 2.5, 19: 2 };
/** Simulated time allowed after the last arrival for every call, call-back and wrap-up to finish. */
const DRAIN_LIMIT_SECONDS = 1800;

const CALLER_LANGUAGES = [["th", 55], ["my", 15], ["km", 10], ["lo", 7], ["vi", 4], ["zh", 3], ["mfa", 4], ["en", 2]] as const;
/** Every agent speaks Thai; 38 of them a second language too. */
const SECOND_LANGUAGES: Array<[string, number]> = [["my", 10], ["km", 6], ["lo", 6], ["vi", 3], ["zh", 3], ["mfa", 4], ["en", 6]];

/** The languages of each of the AGENTS agents. */
export function agentLanguages(): string[][] {
  const seconds: string[] = [];
  for (const [lang, n] of SECOND_LANGUAGES) for (let i = 0; i < n; i++) seconds.push(lang);
  return Array.from({ length: AGENTS }, (_, i) => (seconds[i] ? ["th", seconds[i]] : ["th"]));
}
const TOPIC_KEYS = [["1", 30], ["2", 20], ["3", 10], ["4", 10], ["5", 25], ["9", 5]] as const;

/** What one caller will do, drawn up front from the seeded generator so every run is the same crowd. */
interface Plan {
  at: number;
  language: string;
  /** Rolls used when the caller arrives: a repeat caller takes a number that called before. */
  repeatRoll: number;
  pickRoll: number;
  withheld: boolean;
  keyDelay: number;
  silentInLanguageMenu: boolean;
  topicKey: string;
  topicDelay: number;
  keepLanguageKey: boolean;
  /** Hangs up in the IVR at this many seconds after arrival, whatever happens. */
  hangUpInIvrAfter: number | undefined;
  /** Seconds after arrival this caller is prepared to wait to reach someone. */
  patience: number;
  /** Presses the callback key this many seconds into the queue (if still waiting then). */
  callbackAfter: number | undefined;
  callbackPhone: "answer" | "busy" | "manual";
  talk: number;
}

function drawPlans(rnd: Random, callers: number): Plan[] {
  const weights = Array.from({ length: ARRIVAL_MINUTES }, (_, m) => SURGES[m] ?? 1);
  const total = weights.reduce((a, b) => a + b, 0);
  const perMinute = weights.map((w) => Math.floor((w / total) * callers));
  for (let m = 0; perMinute.reduce((a, b) => a + b, 0) < callers; m = (m + 1) % ARRIVAL_MINUTES) perMinute[m]! += 1;
  const times = perMinute.flatMap((n, m) => Array.from({ length: n }, () => m * 60 + Math.floor(rnd() * 60))).sort((a, b) => a - b);
  return times.map((at) => {
    const callback = rnd() < 0.08;
    return {
      at,
      language: weighted(rnd, CALLER_LANGUAGES),
      repeatRoll: rnd(),
      pickRoll: rnd(),
      withheld: rnd() < 0.01,
      keyDelay: intBetween(rnd, 1, 4),
      silentInLanguageMenu: rnd() < 0.05,
      topicKey: weighted(rnd, TOPIC_KEYS),
      topicDelay: intBetween(rnd, 1, 5),
      keepLanguageKey: rnd() < 0.7,
      hangUpInIvrAfter: rnd() < 0.03 ? intBetween(rnd, 2, 8) : undefined,
      patience: Math.round(15 + Math.min(600, exponential(rnd, 75))),
      callbackAfter: callback ? intBetween(rnd, 5, 40) : undefined,
      callbackPhone: weighted(rnd, [["answer", 75], ["busy", 15], ["manual", 10]] as const),
      talk: Math.round(20 + Math.min(600, exponential(rnd, 60))),
    };
  });
}

/** A caller on the line, and what the carrier showed of their call. */
interface Caller {
  plan: Plan;
  number: string;
  call: SimCall;
  arrivedAt: number;
  gather: object | undefined;
  gatherSeenAt: number;
  pressedIn: object | undefined;
  queueSince: number | undefined;
  connectedAt: number | undefined;
  requestedCallback: boolean;
}

export type Happening = { kind: "miss" | "reach"; at: number; seq: number };

function ivrNode(action: string | undefined): string | undefined {
  if (!action) return undefined;
  if (action.includes("/twilio/queue/key")) return "queue";
  const m = /[?&]node=([a-z-]+)/.exec(action);
  return m?.[1];
}

/** What the storm needs of the servers: the carrier, the clock it moves, settling, and the live figures. */
export interface StormRig {
  clock: ManualClock;
  carrier: Carrier;
  /** Waits until no webhook, REST request or server work is in flight. */
  settle(): Promise<void>;
  /** Moves simulated time for the carrier and the server(s) alike. */
  advance(ms: number): Promise<void>;
  figures(): Promise<LiveFigures>;
  serverMemory?(): Promise<unknown>;
}

/** What the storm reads back from the server's database (SQLite's file, or the shared PostgreSQL). */
export interface StormBooks {
  /** Queue entries still waiting, offered or connected. */
  openQueueEntries(): Promise<number>;
  /** Inbound calls by outcome (or state, for a call without one). */
  outcomes(): Promise<Record<string, number>>;
  /** Inbound calls not ended. */
  notEnded(): Promise<number>;
  /** Numbers with an open or claimed callback item. */
  openNumbers(): Promise<string[]>;
  /** Callback items by status. */
  itemStatuses(): Promise<Record<string, number>>;
}

/** What happened, by the callers' own record. */
export interface StormRecord {
  timeline: Map<string, Happening[]>;
  driver: { placed: number; overflow: number; answered: number; missed: number; callbacksRequested: number; callbackLegs: number; callbackReached: number };
  peakActive: number;
  peakLines: number;
  drained: boolean;
  simulatedSeconds: number;
  realSeconds: number;
  /** Callers in the crowd (CALLERS, unless a smaller run was asked for). */
  callers: number;
}

/** The SQLite file's books, read by the section while the server writes it (WAL lets both). */
export function sqliteBooks(sqlite: Database.Database): StormBooks {
  const count = (query: string) => (sqlite.prepare(query).get() as { n: number }).n;
  return {
    openQueueEntries: async () => count("select count(*) as n from queue_entries where status in ('waiting', 'offered', 'connected')"),
    outcomes: async () =>
      Object.fromEntries(
        (sqlite.prepare("select coalesce(outcome, state) as o, count(*) as n from calls where direction = 'inbound' group by 1").all() as Array<{ o: string; n: number }>).map((r) => [r.o, r.n]),
      ),
    notEnded: async () => count("select count(*) as n from calls where direction = 'inbound' and state != 'ended'"),
    openNumbers: async () => (sqlite.prepare("select number from callbacks where status in ('open', 'claimed') and number is not null").all() as Array<{ number: string }>).map((r) => r.number),
    itemStatuses: async () => Object.fromEntries((sqlite.prepare("select status, count(*) as n from callbacks group by status").all() as Array<{ status: string; n: number }>).map((r) => [r.status, r.n])),
  };
}

/**
 * The storm itself: 2,000 callers (seed 1300) against the servers behind `rig`, tick by simulated second,
 * every tick's HTTP work settled, until every call, call-back and wrap-up is over (or the drain limit).
 * `label` prefixes the progress lines; `callers` other than CALLERS makes a smaller crowd (same 30 minutes).
 */
export async function driveStorm(rig: StormRig, books: StormBooks, label = "storm", callers = CALLERS): Promise<StormRecord> {
  const plans = drawPlans(seededRandom(SEED), callers);
  const realStart = performance.now();
  const { carrier, clock } = rig;
  const t0 = clock.now();
  const nowS = () => Math.round((clock.now() - t0) / 1000);
  let seq = 0;
  const timeline = new Map<string, Happening[]>();
  const happen = (number: string, kind: Happening["kind"]) => {
    if (number === "anonymous") return;
    const list = timeline.get(number) ?? [];
    list.push({ kind, at: nowS(), seq: seq++ });
    timeline.set(number, list);
  };
  const idleNumbers: string[] = [];
  const numberLanguage = new Map<string, string>();
  const active = new Set<Caller>();
  const callbackLegs = new Map<string, { connectedAt: number | undefined; talk: number; counted: boolean }>();
  const callbackNumbers = new Map<string, Plan>();
  const driver = { placed: 0, overflow: 0, answered: 0, missed: 0, callbacksRequested: 0, callbackLegs: 0, callbackReached: 0 };
  let nextNumber = 0;
  let nextPlan = 0;
  let drained = false;
  let lastArrival = 0;
  const finish = (c: Caller) => {
    active.delete(c);
    const { call } = c;
    if (c.connectedAt !== undefined) {
      driver.answered += 1;
    } else {
      if (call.direction === "inbound" && call.answeredAt === undefined && call.status === "busy") driver.overflow += 1;
      else driver.missed += 1;
      happen(c.number, "miss");
    }
    // A number can call again once its call is over, unless it waits for our call-back.
    if (c.number !== "anonymous" && !c.requestedCallback) idleNumbers.push(c.number);
  };

  const tickCaller = (c: Caller, t: number) => {
    const { call, plan } = c;
    if (call.ended) return finish(c);
    const since = t - c.arrivedAt;
    if (c.connectedAt !== undefined) {
      if (t >= c.connectedAt + plan.talk) void call.hangup();
      return;
    }
    if (plan.hangUpInIvrAfter !== undefined && since >= plan.hangUpInIvrAfter && c.queueSince === undefined) return void call.hangup();
    if (since >= plan.patience) return void call.hangup();
    if (!call.keySink || !call.lastGather) return;
    if (call.lastGather !== c.gather) [c.gather, c.gatherSeenAt] = [call.lastGather, t];
    if (c.pressedIn === c.gather) return;
    const waited = t - c.gatherSeenAt;
    const node = ivrNode(call.lastGather.action);
    const press = (key: string) => {
      c.pressedIn = c.gather;
      call.press(key);
    };
    if (node === "language-menu") {
      if (!plan.silentInLanguageMenu && waited >= plan.keyDelay) press(String(LANGUAGES.indexOf(plan.language as never) + 1));
    } else if (node === "returning") {
      if (plan.keepLanguageKey && waited >= 1) press("1");
    } else if (node === "main-menu") {
      if (waited >= plan.topicDelay) press(plan.topicKey);
    } else if (node === "queue") {
      c.queueSince ??= t;
      if (plan.callbackAfter !== undefined && t - c.queueSince >= plan.callbackAfter && c.number !== "anonymous") {
        c.requestedCallback = true;
        driver.callbacksRequested += 1;
        callbackNumbers.set(c.number, plan);
        carrier.endpoint(c.number).setMode(plan.callbackPhone);
        press("1");
      }
    }
  };

  /** Legs the server placed to call a caller back: answered ones talk, then the caller hangs up. */
  const tickCallbackLegs = (t: number) => {
    for (const [number, plan] of callbackNumbers) {
      for (const leg of carrier.endpoint(number).calls) {
        let state = callbackLegs.get(leg.sid);
        if (!state) {
          state = { connectedAt: undefined, talk: plan.talk, counted: false };
          callbackLegs.set(leg.sid, state);
          driver.callbackLegs += 1;
        }
        if (leg.ended) continue;
        if (state.connectedAt === undefined && leg.state === "conference") {
          state.connectedAt = t;
          driver.callbackReached += 1;
          happen(number, "reach");
        } else if (state.connectedAt !== undefined && t >= state.connectedAt + state.talk) {
          void leg.hangup();
        }
      }
    }
  };

  const arrive = (plan: Plan, t: number) => {
    let number: string;
    if (plan.withheld) number = "anonymous";
    else if (plan.repeatRoll < 0.2 && idleNumbers.length > 0) {
      number = idleNumbers.splice(Math.floor(plan.pickRoll * idleNumbers.length), 1)[0]!;
    } else {
      nextNumber += 1;
      number = `+668${String(10_000_000 + nextNumber).slice(-8)}`;
    }
    // A caller who calls again speaks the language they spoke before.
    if (number !== "anonymous") {
      const known = numberLanguage.get(number);
      if (known) plan = { ...plan, language: known };
      else numberLanguage.set(number, plan.language);
    }
    const call = carrier.placeCall({ from: number });
    driver.placed += 1;
    const caller: Caller = { plan, number, call, arrivedAt: t, gather: undefined, gatherSeenAt: t, pressedIn: undefined, queueSince: undefined, connectedAt: undefined, requestedCallback: false };
    call.onChange(() => {
      if (caller.connectedAt === undefined && call.state === "conference") {
        caller.connectedAt = nowS();
        happen(number, "reach");
      }
    });
    active.add(caller);
  };

  let peakActive = 0;
  let peakLines = 0;
  for (let t = 0; ; t++) {
    while (nextPlan < plans.length && plans[nextPlan]!.at <= t) arrive(plans[nextPlan++]!, t);
    if (nextPlan === plans.length && lastArrival === 0) lastArrival = t;
    for (const c of [...active]) tickCaller(c, t);
    tickCallbackLegs(t);
    await rig.settle();
    peakActive = Math.max(peakActive, active.size);
    if (t % 10 === 0) peakLines = Math.max(peakLines, (await rig.figures()).lines.inUse);
    if (t % 300 === 0) {
      process.stderr.write(`  ${label}: ${Math.floor(t / 60)} sim-min, ${driver.placed}/${callers} called, ${active.size} on the line, ${Math.round((performance.now() - realStart) / 1000)} s real\n`);
      if (process.env.BENCH_DEBUG_MEMORY) {
        const m = await rig.serverMemory?.();
        process.stderr.write(`    server: ${JSON.stringify(m)}\n`);
      }
    }
    if (nextPlan === plans.length && active.size === 0 && carrier.liveCalls().length === 0 && (await books.openQueueEntries()) === 0) {
      drained = true;
      break;
    }
    if (lastArrival > 0 && t > lastArrival + DRAIN_LIMIT_SECONDS) break;
    await rig.advance(1000);
    await rig.settle();
  }
  // Wrap-ups end on the clock: let them, so agents are free again at the end.
  await rig.advance(WRAP_UP_SECONDS * 1000 + 1000);
  await rig.settle();
  return { timeline, driver, peakActive, peakLines, drained, simulatedSeconds: nowS(), realSeconds: (performance.now() - realStart) / 1000, callers };
}

/**
 * The server's books against the callers' record: every caller stored once, every admitted call answered
 * or abandoned and ended, one open callback item for exactly the numbers missed and not reached later, no
 * line left in use, and the same answered and overflow counts as the callers saw.
 */
export async function checkStorm(section: string, rig: StormRig, books: StormBooks, record: StormRecord): Promise<{ figures: Figure[]; details: Record<string, unknown> }> {
  const { driver, timeline, callers } = record;
  const outcomes = await books.outcomes();
  const stored = Object.values(outcomes).reduce((a, b) => a + b, 0);
  const notEnded = await books.notEnded();
  const overflow = outcomes.overflow ?? 0;
  const admitted = stored - overflow;
  const answered = outcomes.answered ?? 0;
  const abandonedKinds = Object.entries(outcomes).filter(([o]) => o.startsWith("abandoned_") || o === "callback_requested");
  const abandoned = abandonedKinds.reduce((a, [, n]) => a + n, 0);
  const openNumbers = new Set(await books.openNumbers());
  const itemStatuses = await books.itemStatuses();
  // Expected: numbers whose latest miss came after their latest reach (or were never reached).
  const expectedOpen = new Set<string>();
  for (const [number, list] of timeline) {
    const lastMiss = list.filter((h) => h.kind === "miss").at(-1);
    const lastReach = list.filter((h) => h.kind === "reach").at(-1);
    if (lastMiss && (!lastReach || lastMiss.seq > lastReach.seq)) expectedOpen.add(number);
  }
  const missingItems = [...expectedOpen].filter((n) => !openNumbers.has(n)).length;
  const unexpectedItems = [...openNumbers].filter((n) => !expectedOpen.has(n)).length;
  const figures = await rig.figures();
  const linesInUse = figures.lines.inUse;
  const out: Figure[] = [
    { section, figure: "calls stored: admitted + overflow", value: `${admitted} + ${overflow} = ${stored}`, goal: `= ${callers}`, pass: stored === callers && driver.placed === callers },
    {
      section,
      figure: "answered + abandoned (incl. callback requested) = admitted",
      value: `${answered} + ${abandoned} = ${answered + abandoned} (admitted ${admitted})`,
      goal: "equal, every call ended",
      pass: answered + abandoned === admitted && notEnded === 0,
    },
    {
      section,
      figure: "open callback items = numbers missed, not reached later",
      value: `${openNumbers.size} = ${expectedOpen.size}${missingItems || unexpectedItems ? ` (${missingItems} missing, ${unexpectedItems} extra)` : ""}`,
      goal: "equal, same numbers",
      pass: missingItems === 0 && unexpectedItems === 0,
    },
    { section, figure: "lines in use at the end", value: linesInUse, goal: "0", pass: linesInUse === 0 },
    {
      section,
      figure: "server agrees with the callers (answered / overflow)",
      value: `${answered}/${overflow} vs ${driver.answered}/${driver.overflow}`,
      goal: "equal",
      pass: answered === driver.answered && overflow === driver.overflow,
    },
  ];
  return {
    figures: out,
    details: {
      seed: SEED,
      callers,
      lines: LINES,
      agents: AGENTS,
      wrapUpSeconds: WRAP_UP_SECONDS,
      arrivalMinutes: ARRIVAL_MINUTES,
      outcomes,
      callbackItems: itemStatuses,
      driver,
      distinctNumbers: timeline.size,
      peakCallersOnLine: record.peakActive,
      peakLinesInUse: record.peakLines,
      today: figures.today,
      drained: record.drained,
      simulatedSeconds: record.simulatedSeconds,
      realSeconds: round(record.realSeconds, 1),
    },
  };
}

export async function run(): Promise<SectionResult> {
  const sampler = new RssSampler(50);
  // The server runs in its own process (its own core, its own RSS); the carrier and the callers run here.
  const rig: Rig = await startRig({ LINES: String(LINES), WRAP_UP_SECONDS: String(WRAP_UP_SECONDS) }, "child");
  const sqlite = new Database(rig.dbFile, { readonly: true });
  try {
    for (const [i, languages] of agentLanguages().entries()) await rig.addAgent(`Agent ${i + 1}`, languages);
    // A wallboard and a supervisor desk are open, as in any shift: they get live figures on every change.
    await rig.addSupervisor("Wallboard");
    await rig.addSupervisor("Duty supervisor");
    await rig.settle();
    await rig.resetServerTimes();
    const before = await rig.serverTimes();

    const books = sqliteBooks(sqlite);
    const record = await driveStorm(rig, books);
    const after = await rig.serverTimes();
    const checked = await checkStorm("storm", rig, books, record);
    const server = await rig.serverMemory();
    const webhooks = after?.webhooksMs;
    // Everything the server did during the storm (routing, timers, pages, REST to the carrier) per webhook.
    const cpuPerWebhookUs = before && after && webhooks?.n ? ((after.cpuMs - before.cpuMs) * 1000) / webhooks.n : null;
    const peak = server.peakRssMb ?? server.rssMb;
    const driverRss = sampler.stop();
    const driverHwm = peakRssMb();

    const section = "storm";
    const out: Figure[] = [
      ...checked.figures,
      { section, figure: "peak RSS of the hotline server process", value: round(peak, 0), unit: "MB", goal: "< 300 MB", pass: peak < 300 },
      {
        section,
        figure: "simulated / real time",
        value: `${Math.round(record.simulatedSeconds / 60)} min / ${Math.round(record.realSeconds)} s`,
        pass: record.drained ? null : false,
        goal: record.drained ? undefined : "drained",
      },
      {
        section,
        // Each tick's webhooks arrive together (the clock moves a second at a time), so they queue behind each other.
        figure: "webhook time inside the server, p50 / p99",
        value: webhooks ? `${round(webhooks.p50, 1)} / ${round(webhooks.p99, 1)} ms (${webhooks.n.toLocaleString("en")} webhooks)` : "n/a",
        pass: null,
      },
      { section, figure: "server CPU per webhook during the storm (all its work ÷ webhooks)", value: cpuPerWebhookUs === null ? null : round(cpuPerWebhookUs, 0), unit: "µs", pass: null },
    ];
    return {
      section,
      figures: out,
      details: {
        ...checked.details,
        webhookTimeInServerMs: webhooks,
        serverCpuMs: before && after ? round(after.cpuMs - before.cpuMs, 0) : null,
        cpuPerWebhookUs,
        server: { ...server, process: "own child process (tsx), ManualClock moved tick by tick with the carrier's" },
        carrierAndCallersPeakRssMb: round(Math.max(driverRss, driverHwm ?? 0), 1),
      },
    };
  } finally {
    sqlite.close();
    await rig.close();
  }
}
