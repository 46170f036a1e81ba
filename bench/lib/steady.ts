// An open-loop load: requests sent at a fixed rate, evenly spaced, whether or not earlier ones have been
// answered, each timed from the moment it was due. autocannon's fixed-rate mode sends each connection's
// share in a burst at the top of every second and pads the histogram for it, which measures its own
// bursts rather than the server.
import { Agent, request } from "node:http";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { summary } from "./stats.js";

export interface SteadyRequest {
  path: string;
  body: string;
  headers: Record<string, string>;
}

export interface SteadyResult {
  rate: number;
  sent: number;
  answered: number;
  non2xx: number;
  errors: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
  /** The longest the generator's own event loop was held up while timing, in ms: a request due then left late. */
  generatorStallMs: number;
}

/**
 * A full collection of this process's heap, now: the sections hold hundreds of thousands of signed
 * requests, and a major collection of that heap in the timed seconds would hold the generator up, every
 * request due meanwhile timed as if the server had been slow. The generator's longest stall is reported
 * with the figures (and the server reports its own), so a slow p99 can be told apart.
 */
function collectGarbage(): void {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
}

/**
 * `warmupSeconds` of the same load go first over the same connections and are not timed: the sockets are
 * open and the server's code is hot when timing starts, so the figure is the step's, not the set-up's.
 */
export async function steadyLoad(baseUrl: string, next: () => SteadyRequest, rate: number, seconds: number, connections: number, warmupSeconds = 1): Promise<SteadyResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const url = new URL(baseUrl);
  let latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  // Timed from when it was due, or from when it left if that was earlier (timers fire to the millisecond).
  const send = (r: SteadyRequest, due: number, from = Math.max(due, performance.now())) =>
    new Promise<void>((resolve) => {
      const req = request({ agent, host: url.hostname, port: url.port, method: "POST", path: r.path, headers: { ...r.headers, "content-length": Buffer.byteLength(r.body) } }, (res) => {
        res.resume();
        res.on("end", () => {
          if (res.statusCode! >= 300) non2xx++;
          latencies.push(performance.now() - from);
          resolve();
        });
      });
      req.on("error", () => {
        errors++;
        resolve();
      });
      req.end(r.body);
    });
  const spacing = 1000 / rate;
  const paced = async (count: number) => {
    const start = performance.now() + 10;
    const inFlight: Array<Promise<void>> = [];
    for (let i = 0; i < count; i++) {
      const due = start + i * spacing;
      const wait = due - performance.now();
      if (wait >= 1) await sleep(wait);
      inFlight.push(send(next(), due));
    }
    await Promise.all(inFlight);
  };
  await paced(Math.round(rate * warmupSeconds));
  latencies = [];
  non2xx = 0;
  errors = 0;
  const total = Math.round(rate * seconds);
  collectGarbage();
  const stalls = monitorEventLoopDelay({ resolution: 10 });
  stalls.enable();
  await paced(total);
  stalls.disable();
  agent.destroy();
  const { n: answered, ...spread } = summary(latencies);
  return { rate, sent: total, answered, non2xx, errors, ...spread, generatorStallMs: Math.round(stalls.max / 1e5) / 10 };
}
