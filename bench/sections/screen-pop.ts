// Section 3: screen-pop latency with 100 agent and 100 supervisor sockets connected. Time runs from the
// moment the server commits an offer (the transaction that marks the call offered returns) to the moment
// the agent's socket receives call.offered.
//
// Every agent has two desks open (the hub sends each pop to both):
//  - one in this process, beside the hotline and the built-in carrier: one clock for both ends, but the
//    desk reads its socket only when the event loop it shares with the server and the carrier gets to it;
//  - one in a separate desk process that does nothing else, as an agent's browser: its receipt time is
//    read on the system's monotonic clock, the same clock the commit is read on here.
// Supervisors' sockets are in a third process: the server pays for every push to them, nobody here reads them.
import type { SimCall } from "../../src/carrier/index.js";
import type { DomainEvent } from "../../src/events/event-log.js";
import { LANGUAGES } from "../../src/languages.js";
import { Child } from "../lib/child.js";
import { goalBelow, round, type Figure, type SectionResult } from "../lib/figures.js";
import { monotonicMs } from "../lib/hrtime.js";
import { startRig } from "../lib/rig.js";
import { intBetween, percentile, seededRandom, weighted } from "../lib/stats.js";
import { DeskSocket } from "../lib/ws-client.js";

const AGENTS = 100;
const SUPERVISORS = 100;
const ROUNDS = 10;
const CALLS_PER_ROUND = 80;
const WRAP_UP_SECONDS = 5;
const SEED = 2600;
/** Callers come from a pool of numbers, so many have called before: their screen-pop carries history. */
const NUMBER_POOL = 400;
const CALLER_LANGUAGES = [["th", 70], ["my", 10], ["km", 6], ["lo", 5], ["vi", 3], ["zh", 2], ["mfa", 2], ["en", 2]] as const;
const SECOND_LANGUAGES = ["my", "km", "lo", "vi", "zh", "mfa", "en"];

const ms = (n: number | null) => (n === null ? null : round(n, 1));

export async function run(): Promise<SectionResult> {
  const rnd = seededRandom(SEED);
  const rig = await startRig({ WRAP_UP_SECONDS: String(WRAP_UP_SECONDS), LINES: "200" }, "local");
  const agentDesks = new Child("servers/desk-farm.ts");
  const wallboards = new Child("servers/desk-farm.ts");
  try {
    const hotline = rig.local!;
    const agents: Array<{ id: string; token: string; endpoint: string }> = [];
    for (let i = 0; i < AGENTS; i++) agents.push(await rig.createAgent(`Agent ${i + 1}`, ["th", SECOND_LANGUAGES[i % SECOND_LANGUAGES.length]!]));
    const supervisorTokens: string[] = [];
    for (let i = 0; i < SUPERVISORS; i++) supervisorTokens.push(await rig.supervisorToken(`Supervisor ${i + 1}`));
    await Promise.all([agentDesks.next("ready"), wallboards.next("ready")]);
    await agentDesks.ask({ type: "open", url: rig.wsUrl, tokens: agents.map((a) => a.token), agents: true }, "opened");
    await wallboards.ask({ type: "open", url: rig.wsUrl, tokens: supervisorTokens, agents: false }, "opened");
    const localDesks = await Promise.all(agents.map((a) => DeskSocket.open(rig.wsUrl, a.token)));
    await rig.settle();

    // The commit of each offer: read when its event is published, which the storage does as soon as the
    // transaction has committed, before any listener of the committed events runs (the screen-pop itself is
    // built by one of them).
    const bus = hotline.services.ctx.bus;
    const publish = bus.publish.bind(bus);
    const committedAt = new Map<string, number>();
    const offeredTo = new Map<string, string>();
    bus.publish = (e: DomainEvent) => {
      if (e.type === "call.offered" && e.callSid && e.userId) {
        committedAt.set(`${e.userId}:${e.callSid}`, monotonicMs());
        offeredTo.set(e.callSid, e.userId);
      }
      publish(e);
    };

    const sameProcess: number[] = [];
    const poppedAt = new Set<string>();
    localDesks.forEach((desk, i) => {
      const agentId = agents[i]!.id;
      desk.onMessage = (m) => {
        if (m.type !== "call.offered") return;
        const at = monotonicMs();
        const key = `${agentId}:${(m.call as { callSid: string }).callSid}`;
        const start = committedAt.get(key);
        if (start === undefined) return;
        sameProcess.push(at - start);
        poppedAt.add(key);
      };
    });
    // The contract: the screen-pop reaches the desk before the agent's phone rings.
    let rang = 0;
    let rangFirst = 0;
    for (const agent of agents) {
      const endpoint = rig.carrier.endpoint(agent.endpoint);
      const ring = endpoint.ring.bind(endpoint);
      endpoint.ring = (leg: SimCall) => {
        rang += 1;
        const latest = [...committedAt.keys()].filter((k) => k.startsWith(`${agent.id}:`)).at(-1);
        if (!latest || !poppedAt.has(latest)) rangFirst += 1;
        ring(leg);
      };
    }

    const numbers = Array.from({ length: NUMBER_POOL }, (_, i) => ({ number: `+669${String(20_000_000 + i).slice(-8)}`, language: weighted(rnd, CALLER_LANGUAGES) }));
    let offersExpected = 0;
    for (let r = 0; r < ROUNDS; r++) {
      const picked = new Set<number>();
      while (picked.size < CALLS_PER_ROUND) picked.add(Math.floor(rnd() * NUMBER_POOL));
      const callers = [...picked].map((i) => ({ ...numbers[i]!, call: rig.carrier.placeCall({ from: numbers[i]!.number }) }));
      await rig.settle();
      // Language (or "continue in your language" for callers the hotline knows), then the topic in small
      // groups: routing then offers one call or a handful at a time, as callers finish the menu.
      for (const c of callers) {
        const node = /node=([a-z-]+)/.exec(c.call.lastGather?.action ?? "")?.[1];
        c.call.press(node === "returning" ? "1" : String(LANGUAGES.indexOf(c.language as never) + 1));
      }
      await rig.settle();
      for (let i = 0; i < callers.length; ) {
        const group = intBetween(rnd, 1, 10);
        for (const c of callers.slice(i, i + group)) c.call.press(String(intBetween(rnd, 1, 5)));
        i += group;
        await rig.settle();
      }
      offersExpected += callers.length;
      await rig.advance(intBetween(rnd, 20, 60) * 1000);
      await Promise.all(callers.map((c) => c.call.hangup()));
      await rig.settle();
      await rig.advance((WRAP_UP_SECONDS + 1) * 1000);
      await rig.settle();
    }

    const report = await agentDesks.ask({ type: "report" }, "report");
    const separate: number[] = [];
    for (const o of report.offers as Array<{ desk: number; callSid: string; at: number }>) {
      const start = committedAt.get(`${agents[o.desk]!.id}:${o.callSid}`);
      if (start !== undefined) separate.push(o.at - start);
    }
    const pushes = (await wallboards.ask({ type: "report" }, "report")).counts as Record<string, number>;
    const p99 = percentile(separate, 99);
    const section = "screen-pop";
    const figures: Figure[] = [
      { section, figure: `offers made / screen-pops timed (${AGENTS} agents + ${SUPERVISORS} supervisors connected)`, value: `${committedAt.size} / ${separate.length}`, goal: "all timed", pass: separate.length === committedAt.size && committedAt.size > 0 },
      { section, figure: "commit → call.offered at the agent's desk, p50", value: ms(percentile(separate, 50)), unit: "ms", pass: null },
      { section, figure: "commit → call.offered at the agent's desk, p99", value: ms(p99), unit: "ms", goal: "< 50 ms", pass: goalBelow(p99, 50) },
      {
        section,
        figure: "same, desk inside the server+carrier process, p50 / p99",
        value: `${ms(percentile(sameProcess, 50))} / ${ms(percentile(sameProcess, 99))}`,
        unit: "ms",
        pass: null,
      },
      { section, figure: "agent phones that rang before the screen-pop arrived", value: `${rangFirst} / ${rang}`, goal: "0", pass: rangFirst === 0 },
    ];
    return {
      section,
      figures,
      details: {
        agents: AGENTS,
        supervisors: SUPERVISORS,
        rounds: ROUNDS,
        callsPerRound: CALLS_PER_ROUND,
        callersPlaced: offersExpected,
        offersMade: committedAt.size,
        separateDeskMs: { n: separate.length, p50: percentile(separate, 50), p90: percentile(separate, 90), p99, max: separate.length ? Math.max(...separate) : null },
        sameProcessDeskMs: { n: sameProcess.length, p50: percentile(sameProcess, 50), p90: percentile(sameProcess, 90), p99: percentile(sameProcess, 99) },
        pushesToSupervisors: pushes,
        processes: "hotline + carrier + one desk per agent here; one desk per agent in a desk process; supervisors in another",
      },
    };
  } finally {
    await agentDesks.stop();
    await wallboards.stop();
    await rig.close();
  }
}
