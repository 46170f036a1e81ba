import { describe, expect, it } from "vitest";
import { agentsNeeded, erlangAFigures, erlangB, erlangC, erlangCFigures } from "../../src/staffing/erlang.js";
import { estimatePatience, forecastArrivals } from "../../src/staffing/demand-forecast.js";
import { intervalStarts, localIso } from "../../src/reports/time-buckets.js";

/** Erlang C by the textbook formula with factorials: independent of the recursion, fine for small n. */
function erlangCDirect(n: number, a: number): number {
  let sum = 0;
  let term = 1; // a^k / k!
  for (let k = 0; k < n; k++) {
    sum += term;
    term = (term * a) / (k + 1);
  }
  const top = (term * n) / (n - a); // a^n / n! · n / (n − a)
  return top / (sum + top);
}

describe("Erlang C", () => {
  // The worked example published by Call Centre Helper ("Erlang C formula – made simple") and in most
  // workforce-management textbooks: 100 calls in 30 minutes, 3-minute handle time (A = 10 Erlangs),
  // 80 % in 20 s. Published P(wait): 11 agents 68.2 %, 12 44.9 %, 13 28.5 %, 14 17.4 %, 15 10.2 %;
  // 14 agents reach 88.8 % in 20 s and 13 only 79.6 %, so 14 are needed.
  const example = { arrivalRate: 100 / 1800, handleSeconds: 180, thresholdSeconds: 20 };

  it("matches the published wait probabilities for 10 Erlangs, and the direct formula", () => {
    const published: Record<number, number> = { 11: 0.6821, 12: 0.4494, 13: 0.2853, 14: 0.1741, 15: 0.102 };
    for (const [n, p] of Object.entries(published)) {
      expect(erlangC(Number(n), 10), `n=${n}`).toBeCloseTo(p, 3);
      expect(erlangC(Number(n), 10), `n=${n}`).toBeCloseTo(erlangCDirect(Number(n), 10), 12);
    }
  });

  it("finds 14 agents for 80 % in 20 s in the published example", () => {
    expect(erlangCFigures(13, example).serviceLevel).toBeCloseTo(0.7956, 3);
    expect(erlangCFigures(14, example).serviceLevel).toBeCloseTo(0.8884, 3);
    expect(agentsNeeded(example, 0.8)).toMatchObject({ method: "erlang_c", agents: 14 });
  });

  it("stays finite for hundreds of agents, where A^n and n! overflow", () => {
    const p = erlangC(520, 500);
    expect(Number.isFinite(p)).toBe(true);
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(1);
    expect(erlangB(1000, 900)).toBeGreaterThan(0);
  });

  it("waits less with more agents, and always when the agents are fewer than the traffic", () => {
    for (const a of [0.5, 3, 10, 47.5]) {
      let previous = 1;
      for (let n = Math.floor(a) + 1; n < a + 30; n++) {
        const p = erlangC(n, a);
        expect(p).toBeLessThan(previous);
        previous = p;
      }
      expect(erlangC(Math.floor(a), a)).toBe(1);
    }
  });

  it("needs nobody when nobody calls", () => {
    expect(agentsNeeded({ ...example, arrivalRate: 0 }, 0.8).agents).toBe(0);
  });
});

describe("Erlang A", () => {
  const example = { arrivalRate: 100 / 1800, handleSeconds: 180, thresholdSeconds: 20 };

  it("is Erlang C when callers never give up", () => {
    for (const n of [11, 12, 13, 14, 20]) {
      const a = erlangAFigures(n, example, 1e12);
      const c = erlangCFigures(n, example);
      expect(a.waitProbability, `n=${n}`).toBeCloseTo(c.waitProbability, 6);
      expect(a.serviceLevel, `n=${n}`).toBeCloseTo(c.serviceLevel, 6);
      expect(a.abandonProbability).toBeLessThan(1e-6);
    }
  });

  it("with patience equal to the handle time is M/M/∞: the number of callers is Poisson(A)", () => {
    // θ = μ makes every caller leave at rate μ whether served or waiting (a known closed case of Palm's model).
    const a = 10;
    const poisson = (k: number) => Math.exp(-a + k * Math.log(a) - lgamma(k + 1));
    for (const n of [5, 8, 10, 12]) {
      const f = erlangAFigures(n, example, example.handleSeconds);
      let waits = 0;
      let queued = 0;
      for (let k = n; k < 200; k++) {
        waits += poisson(k);
        queued += (k - n) * poisson(k);
      }
      expect(f.waitProbability, `n=${n}`).toBeCloseTo(waits, 9);
      // P(abandon) = θ·E[queue] / λ, with θ/λ = 1/A here.
      expect(f.abandonProbability, `n=${n}`).toBeCloseTo(queued / a, 9);
    }
  });

  it("answers within no time only those who find an agent free, and in the end everyone who does not give up", () => {
    const f0 = erlangAFigures(9, { ...example, thresholdSeconds: 0 }, 120);
    expect(f0.serviceLevel).toBeCloseTo(1 - f0.waitProbability, 9);
    const fLong = erlangAFigures(9, { ...example, thresholdSeconds: 36_000 }, 120);
    expect(fLong.serviceLevel).toBeCloseTo(1 - fLong.abandonProbability, 6);
  });

  it("serves more within the threshold with more agents, and needs no more agents than Erlang C", () => {
    let previous = 0;
    for (let n = 1; n < 25; n++) {
      const sl = erlangAFigures(n, example, 120).serviceLevel;
      expect(sl).toBeGreaterThan(previous);
      previous = sl;
    }
    const a = agentsNeeded(example, 0.8, 120);
    expect(a.method).toBe("erlang_a");
    expect(a.agents).toBeLessThanOrEqual(agentsNeeded(example, 0.8).agents);
    expect(a.serviceLevel).toBeGreaterThanOrEqual(0.8);
    expect(erlangAFigures(a.agents - 1, example, 120).serviceLevel).toBeLessThan(0.8);
  });
});

/** ln Γ(x) by Lanczos (g = 7), enough for the Poisson terms above. */
function lgamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  x -= 1;
  let s = c[0]!;
  for (let i = 1; i < 9; i++) s += c[i]! / (x + i);
  const t = x + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(s);
}

describe("the forecast's inputs", () => {
  const zone = "Asia/Bangkok";
  const hour = Date.parse("2026-11-25T10:00:00+07:00");
  const week = 7 * 86_400_000;

  it("averages the same hour of the same weekday once there are three weeks of history", () => {
    // 4, 2 and 6 callers at 10:xx on the three past Wednesdays; other hours and days do not count.
    const arrivals = [
      ...[1, 2, 3, 4].map((m) => hour - week + m * 60_000),
      ...[1, 2].map((m) => hour - 2 * week + m * 60_000),
      ...[1, 2, 3, 4, 5, 6].map((m) => hour - 3 * week + m * 60_000),
      hour - 86_400_000 + 60_000,
      hour - week + 3_600_000 + 60_000,
    ].sort((a, b) => a - b);
    const f = forecastArrivals(arrivals, hour - 3 * week - 3_600_000, hour + 60_000, hour, zone, 8);
    expect(f).toEqual({ arrivalsPerHour: 4, basis: "same_weekday_hour", samples: 3 });
  });

  it("averages the same hour of every past day with less history, and has nothing to say with none", () => {
    const arrivals = [hour - 86_400_000 + 1, hour - 2 * 86_400_000 + 1, hour - 2 * 86_400_000 + 2];
    expect(forecastArrivals(arrivals, hour - 2 * 86_400_000 - 1, hour, hour, zone, 8)).toEqual({ arrivalsPerHour: 1.5, basis: "same_hour", samples: 2 });
    expect(forecastArrivals([], hour - 60_000, hour, hour, zone, 8)).toEqual({ arrivalsPerHour: 0, basis: "no_history", samples: 0 });
  });

  it("estimates patience as all waiting time over the callers who gave up, once five did", () => {
    const call = (wait: number, outcome: string) => ({ sid: "x", createdAt: 0, queuedAt: 0, connectedAt: outcome === "answered" ? wait * 1000 : null, endedAt: wait * 1000, outcome, language: "th", topic: null });
    const five = [30, 40, 50, 60, 70].map((w) => call(w, "abandoned_queue"));
    // 250 s of the abandoners plus 50 s of answered callers' waits (censored), over 5 abandonments.
    expect(estimatePatience([...five, call(20, "answered"), call(30, "answered")])).toEqual({ patienceSeconds: 60, abandonments: 5 });
    expect(estimatePatience(five.slice(1)).patienceSeconds).toBeUndefined();
  });
});

describe("local hours and days", () => {
  it("gives a 23-hour day where the zone moves its clocks forward, and whole local hours in a half-hour zone", () => {
    const days = intervalStarts("Europe/Berlin", Date.parse("2026-03-28T12:00:00Z"), Date.parse("2026-03-31T00:00:00Z"), "day");
    expect(days.map((d) => localIso("Europe/Berlin", d))).toEqual(["2026-03-28T00:00:00+01:00", "2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00", "2026-03-31T00:00:00+02:00"]);
    expect((days[2]! - days[1]!) / 3_600_000).toBe(23);
    const hours = intervalStarts("Asia/Kolkata", Date.parse("2026-11-24T00:10:00Z"), Date.parse("2026-11-24T02:00:00Z"), "hour");
    expect(hours.map((h) => localIso("Asia/Kolkata", h))).toEqual(["2026-11-24T05:00:00+05:30", "2026-11-24T06:00:00+05:30", "2026-11-24T07:00:00+05:30"]);
  });
});
