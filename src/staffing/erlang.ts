/*
 * Queueing formulas for staffing. Traffic A = arrival rate × average handle time (Erlangs); n agents.
 *
 * Erlang C (M/M/n, callers wait forever): P(wait) = n·B / (n − A·(1 − B)) with B the Erlang B blocking
 * probability, computed by the recursion B(0) = 1, B(k) = A·B(k−1) / (k + A·B(k−1)), which never forms
 * A^n or n! and so stays exact for hundreds of agents. Service level = 1 − P(wait)·e^(−(n−A)·T/AHT).
 *
 * Erlang A (M/M/n+M, Palm 1943; Garnett, Mandelbaum & Reiman, "Designing a call center with impatient
 * customers", M&SOM 4(3), 2002): callers abandon after an exponential patience of mean 1/θ. The birth–death
 * chain has p(k) ∝ A^k/k! for k ≤ n and p(n+j) = p(n)·Π_{i=1..j} λ/(nμ + iθ); every n ≥ 0 is stable. An
 * arrival sees p (PASTA). P(abandon) = θ·E[queue]/λ. The service level is the probability of being answered
 * within T: for a caller with j ahead, reaching an agent takes phases of rates nμ + jθ, …, nμ while their
 * own patience runs at rate θ; that probability is computed exactly by uniformization, the queue truncated
 * where its tail is below 1e-12. With θ → 0 it is Erlang C's service level (tested).
 */

export interface QueueInputs {
  /** Calls per second. */
  arrivalRate: number;
  /** Average handle time (talk + wrap-up), seconds. */
  handleSeconds: number;
  /** The service-level threshold T, seconds. */
  thresholdSeconds: number;
}

export interface QueueFigures {
  agents: number;
  waitProbability: number;
  /** Share answered within the threshold (of every caller, those who abandon included). */
  serviceLevel: number;
  abandonProbability: number;
}

/** Erlang B blocking probability for n servers and A Erlangs, by the stable recursion. */
export function erlangB(n: number, traffic: number): number {
  let b = 1;
  for (let k = 1; k <= n; k++) b = (traffic * b) / (k + traffic * b);
  return b;
}

/** Erlang C probability that a caller waits; 1 when n ≤ A (the queue grows without end). */
export function erlangC(n: number, traffic: number): number {
  if (traffic <= 0) return 0;
  if (n <= traffic) return 1;
  const b = erlangB(n, traffic);
  return (n * b) / (n - traffic * (1 - b));
}

export function erlangCFigures(n: number, q: QueueInputs): QueueFigures {
  const traffic = q.arrivalRate * q.handleSeconds;
  const waitProbability = erlangC(n, traffic);
  const serviceLevel = n <= traffic && traffic > 0 ? 0 : 1 - waitProbability * Math.exp((-(n - traffic) * q.thresholdSeconds) / q.handleSeconds);
  return { agents: n, waitProbability, serviceLevel, abandonProbability: 0 };
}

/** Erlang A figures for n agents and callers of mean patience `patienceSeconds`. */
export function erlangAFigures(n: number, q: QueueInputs, patienceSeconds: number): QueueFigures {
  const lambda = q.arrivalRate;
  const mu = 1 / q.handleSeconds;
  const theta = 1 / patienceSeconds;
  const traffic = lambda / mu;
  if (lambda <= 0) return { agents: n, waitProbability: 0, serviceLevel: 1, abandonProbability: 0 };
  // Relative to p(n): the states below n sum to 1/B − 1; those above are the products q_j.
  const belowN = n === 0 ? 0 : 1 / erlangB(n, traffic) - 1;
  if (!Number.isFinite(belowN)) return { agents: n, waitProbability: 0, serviceLevel: 1, abandonProbability: 0 };
  const queue: number[] = [1];
  let sum = 1;
  for (let j = 1; j < 100_000; j++) {
    const next = (queue[j - 1]! * lambda) / (n * mu + j * theta);
    queue.push(next);
    sum += next;
    // Stop once the terms shrink and what is left is negligible.
    if (next < 1e-12 * sum && lambda < n * mu + j * theta) break;
  }
  const total = belowN + sum;
  const waitProbability = sum / total;
  const meanQueue = queue.reduce((acc, qj, j) => acc + j * qj, 0) / total;
  const abandonProbability = (theta * meanQueue) / lambda;
  const answeredInTime = answeredWithin(n * mu, theta, queue.length, q.thresholdSeconds);
  let served = belowN;
  queue.forEach((qj, j) => (served += qj * answeredInTime[j]!));
  return { agents: n, waitProbability, serviceLevel: served / total, abandonProbability };
}

/**
 * For a caller arriving with j callers ahead (j = 0 … size−1): the probability of reaching an agent within
 * `seconds`, before their own patience runs out. Uniformization of the chain "position m → m−1 at rate
 * nμ + (m−1)θ, gone at rate θ" with Λ its largest total rate: P = Σ_k Poisson(k; Λt)·v_k, v_k the chance
 * of having been served within k uniformized steps.
 */
function answeredWithin(serviceRate: number, theta: number, size: number, seconds: number): number[] {
  const forward = (m: number) => serviceRate + (m - 1) * theta;
  const uniform = forward(size) + theta;
  const mean = uniform * seconds;
  // v[i]: served within k steps from position i + 1. Poisson weights in log space: e^(−Λt) may underflow.
  let v = new Array<number>(size).fill(0);
  const result = new Array<number>(size).fill(0);
  const steps = Math.ceil(mean + 12 * Math.sqrt(mean) + 30);
  let logPoisson = -mean;
  for (let k = 0; k <= steps; k++) {
    const poisson = Math.exp(logPoisson);
    for (let i = 0; i < size; i++) result[i]! += poisson * v[i]!;
    v = v.map((vi, i) => {
      const move = forward(i + 1) / uniform;
      return move * (i === 0 ? 1 : v[i - 1]!) + (1 - move - theta / uniform) * vi;
    });
    logPoisson += Math.log(mean) - Math.log(k + 1);
  }
  return result;
}

export interface StaffingNeed extends QueueFigures {
  method: "erlang_a" | "erlang_c";
}

/**
 * The fewest agents that answer `target` of callers within the threshold. Erlang A when callers'
 * patience is known: counting callers who give up keeps it from asking for agents no queue would need.
 */
export function agentsNeeded(q: QueueInputs, target: number, patienceSeconds?: number): StaffingNeed {
  const figures = (n: number) => (patienceSeconds ? erlangAFigures(n, q, patienceSeconds) : erlangCFigures(n, q));
  const method = patienceSeconds ? "erlang_a" : "erlang_c";
  if (q.arrivalRate <= 0) return { method, ...figures(0) };
  const traffic = q.arrivalRate * q.handleSeconds;
  // Erlang C needs more agents than the traffic; Erlang A may need fewer, but at least one while anyone calls.
  for (let n = Math.max(1, patienceSeconds ? 1 : Math.floor(traffic) + 1); n < 10_000; n++) {
    const f = figures(n);
    if (f.serviceLevel >= target) return { method, ...f };
  }
  return { method, ...figures(10_000) };
}
