// Section 6: two instances on one PostgreSQL behind HAProxy. The SQLite storm's crowd (sections/storm.ts:
// 2,000 callers, seed 1300, 100 lines, 60 agents whose phones answer, wrap-up 10 s, a wallboard and a
// supervisor desk) through the built-in carrier, whose webhooks go to the balancer; half the agents' pages
// are connected to instance A, half to B, so an offer committed on one instance reaches a page on the
// other only through LISTEN/NOTIFY. The same books are checked against the callers' record.
//
// Timing across processes is read on the system's monotonic clock, the same in every process: each
// instance notes when its own offers commit (COMMIT returned, before any listener) and when it hears the
// other's; the pages live in a desk process of their own (servers/desk-farm.ts), as browsers, and note
// when each call.offered and call.connected arrives; the carrier here notes when each agent's phone rings.
import type pg from "pg";
import { Child } from "../lib/child.js";
import { startClusterRig, parseBalancerLog, type ClusterRig, type EventTime, type Instance } from "../lib/cluster-rig.js";
import { goalBelow, round, type Figure, type SectionResult } from "../lib/figures.js";
import { monotonicMs } from "../lib/hrtime.js";
import { percentile, summary } from "../lib/stats.js";
import { agentLanguages, CALLERS, checkStorm, driveStorm, LINES, WRAP_UP_SECONDS, type StormBooks } from "./storm.js";

/** Goal for an event committed on one instance to reach a page connected to the other. */
const FAN_OUT_GOAL_MS = 100;
/** A smaller crowd while editing (the figures then say so); the bench's storm is CALLERS. */
const STORM_CALLERS = Number(process.env.BENCH_CLUSTER_CALLERS ?? CALLERS);

/** The shared database's books, read over the section's own connection. */
function pgBooks(client: pg.Client): StormBooks {
  const count = async (query: string) => Number((await client.query<{ n: number }>(query)).rows[0]!.n);
  const byKey = async (query: string) => Object.fromEntries((await client.query<{ k: string; n: number }>(query)).rows.map((r) => [r.k, Number(r.n)]));
  return {
    openQueueEntries: () => count("select count(*)::int as n from queue_entries where status in ('waiting', 'offered', 'connected')"),
    outcomes: () => byKey("select coalesce(outcome, state) as k, count(*)::int as n from calls where direction = 'inbound' group by 1"),
    notEnded: () => count("select count(*)::int as n from calls where direction = 'inbound' and state != 'ended'"),
    openNumbers: async () => (await client.query<{ number: string }>("select number from callbacks where status in ('open', 'claimed') and number is not null")).rows.map((r) => r.number),
    itemStatuses: () => byKey("select status as k, count(*)::int as n from callbacks group by status"),
  };
}

interface Receipt {
  desk: number;
  callSid: string;
  at: number;
}

/** One event's way to one page: where it committed, where the page is, and the times along the way. */
interface Delivery {
  type: string;
  agentId: string;
  committedOn: string;
  pageOn: string;
  committedAt: number;
  /** When the page's instance heard it (its own commit, or the other's NOTIFY). */
  heardAt: number;
  receivedAt: number;
}

/**
 * Pairs each page message with the event that caused it: per agent and call, the n-th call.offered
 * (call.connected) the page received with the n-th such event committed.
 */
function deliveries(agents: Array<{ id: string; home: Instance }>, times: Map<string, EventTime[]>, offers: Receipt[], connected: Receipt[]): Delivery[] {
  const commits = new Map<string, Array<EventTime & { instance: string }>>();
  const hearings = new Map<string, number>();
  for (const [instance, list] of times) {
    for (const e of list) {
      hearings.set(`${instance}:${e.id}`, e.at);
      if (e.remote) continue;
      const key = `${e.type}:${e.userId}:${e.callSid}`;
      commits.set(key, [...(commits.get(key) ?? []), { ...e, instance }]);
    }
  }
  for (const list of commits.values()) list.sort((a, b) => a.id - b.id);
  const out: Delivery[] = [];
  const pair = (type: string, receipts: Receipt[]) => {
    const seen = new Map<string, number>();
    for (const r of [...receipts].sort((a, b) => a.at - b.at)) {
      const agent = agents[r.desk]!;
      const key = `${type}:${agent.id}:${r.callSid}`;
      const n = seen.get(key) ?? 0;
      seen.set(key, n + 1);
      const commit = commits.get(key)?.[n];
      if (!commit) continue;
      const heardAt = commit.instance === agent.home.name ? commit.at : hearings.get(`${agent.home.name}:${commit.id}`);
      out.push({ type, agentId: agent.id, committedOn: commit.instance, pageOn: agent.home.name, committedAt: commit.at, heardAt: heardAt ?? NaN, receivedAt: r.at });
    }
  };
  pair("call.offered", offers);
  pair("call.connected", connected);
  return out;
}

const ms = (n: number | null) => (n === null ? null : round(n, 1));
const p50p99 = (samples: number[]) => `${ms(percentile(samples, 50)) ?? "n/a"} / ${ms(percentile(samples, 99)) ?? "n/a"}`;

export async function run(): Promise<SectionResult> {
  const rig: ClusterRig = await startClusterRig({ LINES: String(LINES), WRAP_UP_SECONDS: String(WRAP_UP_SECONDS) });
  const agentDesks = new Child("servers/desk-farm.ts");
  const supervisorDesks = new Child("servers/desk-farm.ts");
  try {
    const [a, b] = rig.instances;
    const agents: Array<{ id: string; token: string; endpoint: string; home: Instance }> = [];
    for (const [i, languages] of agentLanguages().entries()) agents.push({ ...(await rig.createAgent(`Agent ${i + 1}`, languages)), home: i % 2 ? b : a });
    // A wallboard on A and a supervisor desk on B: they get live figures on every change, from either.
    const supervisors = [await rig.supervisorToken("Wallboard"), await rig.supervisorToken("Duty supervisor")];
    await Promise.all([agentDesks.next("ready"), supervisorDesks.next("ready")]);
    await agentDesks.ask({ type: "open", tokens: agents.map((x) => x.token), urls: agents.map((x) => x.home.wsUrl), agents: true }, "opened", 60_000);
    await supervisorDesks.ask({ type: "open", tokens: supervisors, urls: [a.wsUrl, b.wsUrl], agents: false }, "opened", 60_000);
    await rig.settle();

    // When each agent's phone rang (the carrier, here), to compare with when the page got the pop.
    const rings = new Map<string, number[]>();
    for (const agent of agents) {
      const endpoint = rig.carrier.endpoint(agent.endpoint);
      const ring = endpoint.ring.bind(endpoint);
      const list: number[] = [];
      rings.set(agent.id, list);
      endpoint.ring = (leg) => {
        list.push(monotonicMs());
        ring(leg);
      };
    }

    await rig.resetServerTimes();
    const logBefore = rig.balancerLog().length;
    const cpuBefore = { a: (await rig.serverTimes(a)).cpuMs, b: (await rig.serverTimes(b)).cpuMs, pg: rig.pg.cpuMs() };
    const webhookTriesBefore = rig.carrier.webhookAttempts.length;
    const books = pgBooks(rig.pg.client);
    const commits = async () => Number((await rig.pg.client.query<{ n: string }>("select xact_commit as n from pg_stat_database where datname = current_database()")).rows[0]!.n);
    const commitsBefore = await commits();
    const record = await driveStorm(rig, books, "cluster", STORM_CALLERS);
    const cpuAfter = { a: (await rig.serverTimes(a)).cpuMs, b: (await rig.serverTimes(b)).cpuMs, pg: rig.pg.cpuMs() };
    // Every transaction PostgreSQL committed meanwhile, reads outside a transaction block included.
    const committed = (await commits()) - commitsBefore;
    const checked = await checkStorm("cluster", rig, books, record);

    // What the carrier saw: webhooks that failed for good (after the retries the overrides allow), and
    // calls it ended with the application error.
    const failed = rig.carrier.failedWebhooks;
    const applicationErrors = rig.carrier.applicationErrors;
    const tries = rig.carrier.webhookAttempts.slice(webhookTriesBefore);
    const retried = tries.filter((t) => t.retry > 0).length;
    // Each webhook at the balancer: its time there (Ta) and which instance took it.
    const balanced = parseBalancerLog(rig.balancerLog().slice(logBefore)).filter((r) => r.path.startsWith("/twilio/"));
    const balancerMs = balanced.map((r) => r.totalMs);
    const takenBy = (server: string) => balanced.filter((r) => r.server === server).length;
    const timesA = await rig.serverTimes(a);
    const timesB = await rig.serverTimes(b);

    // The pages: every screen-pop (and "connected") matched with the commit that caused it.
    const report = await agentDesks.ask({ type: "report" }, "report", 60_000);
    const times = new Map<string, EventTime[]>([
      [a.name, await rig.eventTimes(a)],
      [b.name, await rig.eventTimes(b)],
    ]);
    const all = deliveries(agents, times, report.offers as Receipt[], report.connected as Receipt[]);
    const latency = (d: Delivery) => d.receivedAt - d.committedAt;
    const pops = all.filter((d) => d.type === "call.offered");
    const crossPops = pops.filter((d) => d.committedOn !== d.pageOn).map(latency);
    const samePops = pops.filter((d) => d.committedOn === d.pageOn).map(latency);
    const crossAll = all.filter((d) => d.committedOn !== d.pageOn).map(latency);
    const notify = all.filter((d) => d.committedOn !== d.pageOn).map((d) => d.heardAt - d.committedAt);
    const heardToPage = all.filter((d) => d.committedOn !== d.pageOn).map((d) => d.receivedAt - d.heardAt);
    const offersCommitted = [...times.values()].flat().filter((e) => !e.remote && e.type === "call.offered").length;
    // The phone that rang for an offer: the agent's first ring after its commit and before their next offer.
    const offerCommits = new Map<string, number[]>();
    for (const d of pops) offerCommits.set(d.agentId, [...(offerCommits.get(d.agentId) ?? []), d.committedAt].sort((x, y) => x - y));
    const rangFirst = { cross: 0, same: 0, cross_n: 0, same_n: 0 };
    for (const d of pops) {
      const next = offerCommits.get(d.agentId)!.find((t) => t > d.committedAt) ?? Infinity;
      const ring = rings.get(d.agentId)!.find((t) => t >= d.committedAt && t < next);
      if (ring === undefined) continue;
      const kind = d.committedOn === d.pageOn ? "same" : "cross";
      rangFirst[`${kind}_n`] += 1;
      if (ring < d.receivedAt) rangFirst[kind] += 1;
    }
    const supervisorPushes = (await supervisorDesks.ask({ type: "report" }, "report", 60_000)).counts as Record<string, number>;

    const webhooks = balanced.length;
    const cpu = { a: cpuAfter.a - cpuBefore.a, b: cpuAfter.b - cpuBefore.b, pg: cpuAfter.pg - cpuBefore.pg };
    const cpuPerWebhookUs = webhooks ? ((cpu.a + cpu.b + cpu.pg) * 1000) / webhooks : null;
    const crossP99 = percentile(crossPops, 99);
    const fanOutP99 = percentile(crossAll, 99);
    const section = "cluster";
    const figures: Figure[] = [
      ...checked.figures,
      {
        section,
        figure: "webhooks that failed (after retries) / calls ended by an application error",
        value: `${failed.length} / ${applicationErrors.length}`,
        goal: "0 / 0",
        pass: failed.length === 0 && applicationErrors.length === 0,
      },
      {
        section,
        figure: "simulated / real time; calls and webhooks per real second",
        value: `${Math.round(record.simulatedSeconds / 60)} min / ${Math.round(record.realSeconds)} s; ${round(record.callers / record.realSeconds, 1)} calls/s, ${round(webhooks / record.realSeconds, 0)} webhooks/s`,
        pass: record.drained ? null : false,
        goal: record.drained ? undefined : "drained",
      },
      { section, figure: "webhook time at the balancer (HAProxy Ta), p50 / p99", value: `${p50p99(balancerMs)} ms (${webhooks.toLocaleString("en")} webhooks)`, pass: null },
      {
        section,
        figure: "webhook time inside instance A / B, p50 / p99",
        value: `${ms(timesA.webhooksMs.p50)} / ${ms(timesA.webhooksMs.p99)} · ${ms(timesB.webhooksMs.p50)} / ${ms(timesB.webhooksMs.p99)} ms`,
        pass: null,
      },
      {
        section,
        figure: "webhooks taken by A / B; tries retried by the carrier",
        value: `${takenBy("hotline1").toLocaleString("en")} / ${takenBy("hotline2").toLocaleString("en")}; ${retried}`,
        pass: null,
      },
      {
        section,
        figure: `screen-pops timed / offers committed (${agents.length} pages, half on each instance)`,
        value: `${pops.length} / ${offersCommitted}`,
        goal: "all timed",
        pass: pops.length === offersCommitted && offersCommitted > 0,
      },
      { section, figure: "screen-pop across instances: commit on one → call.offered at a page on the other, p50", value: ms(percentile(crossPops, 50)), unit: "ms", pass: null },
      {
        section,
        figure: "screen-pop across instances, p99",
        value: ms(crossP99),
        unit: "ms",
        goal: `< ${FAN_OUT_GOAL_MS} ms`,
        pass: goalBelow(crossP99, FAN_OUT_GOAL_MS),
      },
      { section, figure: "screen-pop on the same instance, p50 / p99", value: p50p99(samePops), unit: "ms", pass: null },
      {
        section,
        figure: "fan-out across instances, every page message (call.offered + call.connected), p50 / p99",
        value: `${p50p99(crossAll)} ms (${crossAll.length})`,
        goal: `p99 < ${FAN_OUT_GOAL_MS} ms`,
        pass: goalBelow(fanOutP99, FAN_OUT_GOAL_MS),
      },
      { section, figure: "of which NOTIFY: commit on one → heard on the other, p50 / p99", value: p50p99(notify), unit: "ms", pass: null },
      { section, figure: "of which heard → at the page (the page's instance reads and sends), p50 / p99", value: p50p99(heardToPage), unit: "ms", pass: null },
      {
        section,
        figure: "agents' phones that rang before the pop reached the page: across / same instance",
        value: `${rangFirst.cross} of ${rangFirst.cross_n} / ${rangFirst.same} of ${rangFirst.same_n}`,
        pass: null,
      },
      {
        section,
        figure: "PostgreSQL transactions committed (reads included): per real second; per call",
        value: `${round(committed / record.realSeconds, 0)}/s; ${round(committed / record.callers, 0)}`,
        pass: null,
      },
      {
        section,
        figure: "CPU during the storm: A / B / PostgreSQL; all ÷ webhooks",
        value: `${round(cpu.a / 1000, 1)} / ${round(cpu.b / 1000, 1)} / ${round(cpu.pg / 1000, 1)} s; ${cpuPerWebhookUs === null ? "n/a" : round(cpuPerWebhookUs, 0)} µs`,
        pass: null,
      },
      { section, figure: "peak RSS of instance A / B", value: `${timesA.peakRssMb === null ? "n/a" : round(timesA.peakRssMb, 0)} / ${timesB.peakRssMb === null ? "n/a" : round(timesB.peakRssMb, 0)}`, unit: "MB", pass: null },
    ];
    return {
      section,
      figures,
      details: {
        ...checked.details,
        setup: "PostgreSQL of the bench's own (fsync off), two hotline child processes (tsx, LOG_LEVEL=info to /dev/null) behind HAProxy (deploy/haproxy.cfg), carrier and callers here, pages in a desk process",
        webhooks: {
          atBalancerMs: summary(balancerMs),
          insideA: timesA.webhooksMs,
          insideB: timesB.webhooksMs,
          takenBy: { A: takenBy("hotline1"), B: takenBy("hotline2") },
          non2xxAtBalancer: balanced.filter((r) => r.status < 200 || r.status >= 300).length,
          balancerRetries: balanced.filter((r) => r.retries > 0).length,
          carrierTries: tries.length,
          carrierRetries: retried,
          failed: failed.slice(0, 20),
          applicationErrors: applicationErrors.slice(0, 20),
        },
        screenPopMs: { across: summary(crossPops), same: summary(samePops), offersCommitted, timed: pops.length },
        fanOutAcrossMs: summary(crossAll),
        notifyMs: summary(notify),
        heardToPageMs: summary(heardToPage),
        ringBeforePop: rangFirst,
        cpuMs: { a: round(cpu.a, 0), b: round(cpu.b, 0), postgres: round(cpu.pg, 0), perWebhookUs: cpuPerWebhookUs },
        peakRssMb: { a: timesA.peakRssMb, b: timesB.peakRssMb },
        supervisorPushes,
        postgresTransactionsCommitted: committed,
        settle: rig.settleStats,
      },
    };
  } finally {
    await agentDesks.stop();
    await supervisorDesks.stop();
    await rig.close();
  }
}
