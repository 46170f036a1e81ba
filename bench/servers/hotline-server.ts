// A hotline server in its own process, for load tests: the load generator then cannot steal its event loop,
// and its peak RSS is the server's own. Configured by the environment like `npm start`, plus:
//   BENCH_LINES        stored line capacity, past LINES's own limit (the webhook run holds thousands of calls)
//   BENCH_CLOCK_START  run on a ManualClock starting there (ms since the epoch), moved by the parent
//   BENCH_CLUSTER      one of several instances on one PostgreSQL (section "cluster"): it notes when each
//                      offer and connection it commits or hears of reaches its event bus (monotonic clock),
//                      and "idle" also waits until it has heard every event the others committed
import { ManualClock, systemClock } from "../../src/clock.js";
import { loadConfig } from "../../src/config.js";
import type { DomainEvent } from "../../src/events/event-log.js";
import { createHotline } from "../../src/hotline.js";
import { setCapacity } from "../../src/lines/line-capacity.js";
import { createLogger } from "../../src/logger.js";
import { createUser } from "../../src/users/user-store.js";
import { createHistogram, monitorEventLoopDelay } from "node:perf_hooks";
import { Session } from "node:inspector/promises";
import { writeFileSync } from "node:fs";
import { onParent, tell } from "../lib/child.js";
import { monotonicMs } from "../lib/hrtime.js";
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
// The same for Twilio's webhooks alone (/twilio/…), without the API, pages and health checks.
const webhooks = createHistogram();
// Fastify's own clock (elapsedTime, from routing to the response written) and a callback hook: the bench's
// measuring should cost the server as little as possible, the bare route has none of it.
hotline.app.addHook("onResponse", (request, reply, done) => {
  const ns = Math.max(1, Math.round(reply.elapsedTime * 1e6));
  inServer.record(ns);
  if (request.url.startsWith("/twilio/")) webhooks.record(ns);
  done();
});

// In a cluster, events on this instance's bus: the highest id heard (its own and the others'), and when
// each offer and connection got here. Read when publish is called: for this instance's own events that
// is the moment their transaction's COMMIT returned, before any listener (the page push among them) ran;
// for the others' the moment their NOTIFY was heard. A single server is measured as production runs it,
// with nothing of the bench's on its bus.
const { bus } = hotline.services.ctx;
let lastEventId = 0;
const caughtUpWaiters: Array<{ id: number; resolve: () => void }> = [];
const timed = new Set(["call.offered", "call.connected"]);
const eventTimes: Array<{ type: string; callSid: string; userId: string; id: number; at: number; remote: boolean }> = [];
if (process.env.BENCH_CLUSTER) {
  bus.subscribeAll((e) => {
    lastEventId = Math.max(lastEventId, e.id);
    for (const w of caughtUpWaiters.filter((x) => x.id <= lastEventId)) {
      caughtUpWaiters.splice(caughtUpWaiters.indexOf(w), 1);
      w.resolve();
    }
  });
  const note = (e: DomainEvent, remote: boolean) => {
    if (timed.has(e.type) && e.callSid && e.userId) eventTimes.push({ type: e.type, callSid: e.callSid, userId: e.userId, id: e.id, at: monotonicMs(), remote });
  };
  const publish = bus.publish.bind(bus);
  const publishRemote = bus.publishRemote.bind(bus);
  bus.publish = (e) => {
    note(e, false);
    publish(e);
  };
  bus.publishRemote = (e) => {
    note(e, true);
    publishRemote(e);
  };
}


/** Resolves once this instance has heard the event `id` (or `timeoutMs` passed: false). */
function heard(id: number, timeoutMs: number): Promise<boolean> {
  if (lastEventId >= id) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      caughtUpWaiters.splice(caughtUpWaiters.indexOf(waiter), 1);
      resolve(false);
    }, timeoutMs);
    const waiter = {
      id,
      resolve: () => {
        clearTimeout(timer);
        resolve(true);
      },
    };
    caughtUpWaiters.push(waiter);
  });
}
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
    webhooksMs: { n: webhooks.count, p50: webhooks.percentile(50) / 1e6, p99: webhooks.percentile(99) / 1e6, max: webhooks.max / 1e6 },
  };
};

let profiler: Session | undefined;
onParent(async (m) => {
  switch (m.type) {
    case "resetLoopDelay":
      loopDelay.reset();
      inServer.reset();
      webhooks.reset();
      tell({ type: "loopDelayReset" });
      break;
    // Stats are read around every timed window: they do no work the window would then count (the live
    // figures read today's calls, tens of milliseconds over section 1's copies), which "figures" does.
    case "stats":
      tell({ type: "stats", ...memory() });
      break;
    case "figures":
      tell({ type: "figures", figures: await hotline.services.figures() });
      break;
    case "advance":
      if (!manual) throw new Error("this server runs on the system clock");
      await manual.advance(Number(m.ms));
      tell({ type: "advanced" });
      break;
    case "idle":
      // The SQLite storm's settle has always waited for the task runner alone; a cluster waits for all.
      if (process.env.BENCH_CLUSTER) await hotline.idle();
      else await hotline.services.tasks.idle();
      tell({ type: "idle", lastEventId });
      break;
    case "caughtUp": {
      // The others' events up to `id` heard here, and what they started here done.
      const ok = await heard(Number(m.id), Number(m.timeoutMs ?? 5_000));
      await hotline.idle();
      tell({ type: "caughtUp", ok, lastEventId });
      break;
    }
    case "eventTimes":
      tell({ type: "eventTimes", times: eventTimes });
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
    case "profileStart": {
      // A V8 CPU profile of one phase only (bench/profile.ts): started and stopped by the parent.
      profiler ??= new Session();
      profiler.connect();
      await profiler.post("Profiler.enable");
      await profiler.post("Profiler.setSamplingInterval", { interval: Number(m.intervalUs ?? 100) });
      await profiler.post("Profiler.start");
      tell({ type: "profileStarted" });
      break;
    }
    case "profileStop": {
      if (!profiler) throw new Error("no profile was started");
      const { profile } = await profiler.post("Profiler.stop");
      profiler.disconnect();
      writeFileSync(String(m.file), JSON.stringify(profile));
      tell({ type: "profileStopped" });
      break;
    }
    case "releaseLines": {
      // Section "arrival": the lines its arrivals took are given back, but those of the calls named `keep…`,
      // on this server's own connection (another process's write would empty its page cache), synchronously,
      // so the CPU it took is known and left out of the arrival's.
      const cpu = process.cpuUsage();
      const client = (hotline.services.ctx.db as unknown as { $client: import("better-sqlite3").Database }).$client;
      // Both spellings, so an index of held calls is read whether it is partial (`where holds_line`) or not.
      const held = client.prepare("select count(*) from calls where holds_line and holds_line = 1").pluck().get() as number;
      client.prepare("update calls set holds_line = 0 where holds_line and holds_line = 1 and sid not like ? || '%'").run(String(m.keep));
      const used = process.cpuUsage(cpu);
      tell({ type: "linesReleased", held, cpuUs: used.user + used.system });
      break;
    }
    case "stop":
      await hotline.close();
      process.exit(0);
  }
});
tell({ type: "ready", url: config.PUBLIC_BASE_URL });
