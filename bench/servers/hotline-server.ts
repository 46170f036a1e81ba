// A hotline server in its own process, for load tests: the load generator then cannot steal its event loop,
// and its peak RSS is the server's own. Configured by the environment like `npm start`, plus:
//   BENCH_LINES        stored line capacity, past LINES's own limit (the webhook run holds thousands of calls)
//   BENCH_CLOCK_START  run on a ManualClock starting there (ms since the epoch), moved by the parent
import { ManualClock, systemClock } from "../../src/clock.js";
import { loadConfig } from "../../src/config.js";
import { createHotline } from "../../src/hotline.js";
import { setCapacity } from "../../src/lines/line-capacity.js";
import { createLogger } from "../../src/logger.js";
import { createUser } from "../../src/users/user-store.js";
import { createHistogram, monitorEventLoopDelay } from "node:perf_hooks";
import { onParent, tell } from "../lib/child.js";
import { peakRssMb } from "../lib/memory.js";

const config = loadConfig(process.env);
const manual = process.env.BENCH_CLOCK_START ? new ManualClock(Number(process.env.BENCH_CLOCK_START)) : undefined;
// Production's logger (stdout) at the configured level; the bench points stdout at /dev/null.
const log = createLogger(config.LOG_LEVEL);
const hotline = await createHotline(config, { clock: manual ?? systemClock, log });
if (process.env.BENCH_LINES) await setCapacity(hotline.services.ctx, Number(process.env.BENCH_LINES), null);
// Time inside the server per request, from the request's first byte parsed to the response written: the
// rest of what a client measures is waiting (in the kernel, or behind other requests on this event loop).
const inServer = createHistogram();
const startedAt = new WeakMap<object, bigint>();
hotline.app.addHook("onRequest", async (request) => {
  startedAt.set(request, process.hrtime.bigint());
});
hotline.app.addHook("onResponse", async (request) => {
  const t = startedAt.get(request);
  if (t !== undefined) inServer.record(Math.max(1, Number(process.hrtime.bigint() - t)));
});
await hotline.app.listen({ port: config.PORT, host: config.HOST });
await hotline.start();

// How long the event loop was kept from turning: long synchronous stretches (GC, SQLite) show up here.
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();

const memory = () => {
  const m = process.memoryUsage();
  const mb = (n: number) => Math.round((n / 1048576) * 10) / 10;
  const cpu = process.cpuUsage();
  return {
    rssMb: mb(m.rss),
    heapUsedMb: mb(m.heapUsed),
    heapTotalMb: mb(m.heapTotal),
    externalMb: mb(m.external),
    peakRssMb: peakRssMb(),
    // CPU time this process has used (user + system), in ms: per-request cost survives a busy machine better than req/s.
    cpuMs: (cpu.user + cpu.system) / 1000,
    loopDelayMs: { p50: loopDelay.percentile(50) / 1e6, p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
    inServerMs: { n: inServer.count, p50: inServer.percentile(50) / 1e6, p99: inServer.percentile(99) / 1e6, max: inServer.max / 1e6 },
  };
};

onParent(async (m) => {
  switch (m.type) {
    case "resetLoopDelay":
      loopDelay.reset();
      inServer.reset();
      tell({ type: "loopDelayReset" });
      break;
    case "stats":
      tell({ type: "stats", ...memory(), figures: await hotline.services.figures() });
      break;
    case "advance":
      if (!manual) throw new Error("this server runs on the system clock");
      await manual.advance(Number(m.ms));
      tell({ type: "advanced" });
      break;
    case "idle":
      await hotline.services.tasks.idle();
      tell({ type: "idle" });
      break;
    case "gc":
      (globalThis as { gc?: () => void }).gc?.();
      tell({ type: "gc", ...memory() });
      break;
    case "createUser": {
      const { user, token } = await createUser(hotline.services.ctx, { name: String(m.name), role: m.role as "supervisor" }, "bench");
      tell({ type: "createdUser", id: user.id, token });
      break;
    }
    case "stop":
      await hotline.close();
      process.exit(0);
  }
});
tell({ type: "ready", url: config.PUBLIC_BASE_URL });
