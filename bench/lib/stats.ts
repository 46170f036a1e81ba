/** Percentile by the nearest-rank method over raw samples (sorted copy; samples are kept as measured). */
export function percentile(samples: readonly number[], p: number): number | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export function summary(samples: readonly number[]) {
  return {
    n: samples.length,
    p50: percentile(samples, 50),
    p90: percentile(samples, 90),
    p99: percentile(samples, 99),
    // Not Math.max(...samples): a spread of 100,000+ arguments overflows the stack.
    max: percentile(samples, 100),
  };
}

/** mulberry32: a small seeded generator so every run simulates the same callers. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Random = () => number;
export const between = (rnd: Random, min: number, max: number) => min + (max - min) * rnd();
export const intBetween = (rnd: Random, min: number, max: number) => Math.floor(between(rnd, min, max + 1));
/** Exponentially distributed with the given mean (waiting patience, gaps between arrivals). */
export const exponential = (rnd: Random, mean: number) => -Math.log(1 - rnd()) * mean;
/** Picks from weighted choices: [[value, weight], …]. */
export function weighted<T>(rnd: Random, choices: ReadonlyArray<readonly [T, number]>): T {
  const total = choices.reduce((sum, [, w]) => sum + w, 0);
  let x = rnd() * total;
  for (const [value, w] of choices) {
    x -= w;
    if (x < 0) return value;
  }
  return choices[choices.length - 1]![0];
}
