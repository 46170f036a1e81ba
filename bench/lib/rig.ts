// The hotline and the built-in carrier on loopback, on ManualClocks that move together: the only way to
// compress talk time, patience and wrap-up while every webhook and REST request still goes over HTTP.
//
// "local": the hotline runs in this process and shares the carrier's clock (section 3 needs the server's
// event bus and the client sockets in one process to time the screen-pop).
// "child": the hotline runs in its own process on its own ManualClock, moved tick by tick with the
// carrier's; its peak RSS is then the server's alone, and it gets a core of its own (section 2).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { startSimulator, type Carrier } from "../../src/carrier/index.js";
import { ManualClock } from "../../src/clock.js";
import { loadConfig } from "../../src/config.js";
import { createHotline, SIMULATOR_ACCOUNT_SID, SIMULATOR_AUTH_TOKEN, SIMULATOR_HOTLINE_NUMBER, type Hotline } from "../../src/hotline.js";
import { createLogger } from "../../src/logger.js";
import type { LiveFigures } from "../../src/stats/live-figures.js";
import { createUser } from "../../src/users/user-store.js";
import { Child } from "./child.js";
import { freePort } from "./net.js";
import { DeskSocket } from "./ws-client.js";
import { BENCH_ADMIN_TOKEN, hotlineServerChild } from "./hotline-child.js";
import { jsonApi as sharedJsonApi, type JsonApi } from "../../test/support/json-api.js";

export { BENCH_ADMIN_TOKEN };

export interface Agent {
  id: string;
  endpoint: string;
  languages: string[];
  socket: DeskSocket;
}

export interface ServerMemory {
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  peakRssMb: number | null;
}

export interface ServerTimes {
  webhooksMs: { n: number; p50: number; p99: number; max: number };
  cpuMs: number;
}

export interface Rig {
  /** The carrier's clock (in "local" mode the server's too). */
  clock: ManualClock;
  carrier: Carrier;
  baseUrl: string;
  dbFile: string;
  /** The in-process hotline ("local" mode only). */
  local: Hotline | undefined;
  /** Waits until no webhook, REST request or server task is in flight. */
  settle(): Promise<void>;
  /** Moves simulated time for the carrier and the server alike. */
  advance(ms: number): Promise<void>;
  figures(): Promise<LiveFigures>;
  /** The server process's memory ("child" mode; the whole process in "local" mode). */
  serverMemory(): Promise<ServerMemory>;
  /** Starts the server's request timings afresh ("child" mode; nothing in "local" mode). */
  resetServerTimes(): Promise<void>;
  /**
   * Time inside the server per webhook (/twilio/…) since the last reset, in ms, and the CPU time the
   * server process has used so far ("child" mode only).
   */
  serverTimes(): Promise<ServerTimes | undefined>;
  api: JsonApi;
  addAgent(name: string, languages: string[]): Promise<Agent>;
  /** An agent account with its phone in "answer" mode, without a desk socket. */
  createAgent(name: string, languages: string[]): Promise<{ id: string; token: string; endpoint: string }>;
  addSupervisor(name: string): Promise<DeskSocket>;
  /** A supervisor account's token, for sockets opened elsewhere. */
  supervisorToken(name: string): Promise<string>;
  wsUrl: string;
  close(): Promise<void>;
}

export async function startRig(env: Record<string, string>, mode: "local" | "child"): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), "hotline-bench-"));
  const clock = new ManualClock();
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const dbFile = join(dir, "hotline.db");
  const { carrier, origin } = await startSimulator({
    publicBaseUrl: baseUrl,
    accountSid: SIMULATOR_ACCOUNT_SID,
    authToken: SIMULATOR_AUTH_TOKEN,
    hotlineNumber: SIMULATOR_HOTLINE_NUMBER,
    clock,
  });
  const serverEnv: Record<string, string> = {
    PORT: String(port),
    HOST: "127.0.0.1",
    DB_FILE: dbFile,
    ADMIN_TOKEN: BENCH_ADMIN_TOKEN,
    // Production's level; the logs go to /dev/null, so the server pays for them and the terminal stays readable.
    LOG_LEVEL: "info",
    FLOWS_DIR: "./voice-flows",
    PUBLIC_BASE_URL: baseUrl,
    TELEPHONY: "simulator",
    TWILIO_API_BASE_URL: origin,
    ...env,
  };

  let local: Hotline | undefined;
  let child: Child | undefined;
  if (mode === "local") {
    const config = loadConfig(serverEnv);
    const log = createLogger(config.LOG_LEVEL, pino.destination({ dest: "/dev/null", sync: false }));
    local = await createHotline(config, { clock, log });
    await local.app.listen({ port, host: "127.0.0.1" });
    await local.start();
  } else {
    child = await hotlineServerChild({ ...serverEnv, BENCH_CLOCK_START: String(clock.now()) });
    await child.next("ready");
  }

  const sockets: DeskSocket[] = [];
  const wsUrl = `${baseUrl.replace("http", "ws")}/ws`;
  const api = jsonApi(baseUrl);
  const serverIdle = () => (local ? local.idle() : child!.ask({ type: "idle" }, "idle").then(() => {}));

  const rig: Rig = {
    clock,
    carrier,
    baseUrl,
    dbFile,
    local,
    settle: () => carrier.idle(serverIdle),
    async advance(ms) {
      if (local) return clock.advance(ms);
      await Promise.all([clock.advance(ms), child!.ask({ type: "advance", ms }, "advanced")]);
    },
    async figures() {
      if (local) return local.services.figures();
      return (await child!.ask({ type: "figures" }, "figures")).figures as LiveFigures;
    },
    async serverMemory() {
      if (child) {
        const m = await child.ask({ type: "stats" }, "stats");
        return { rssMb: Number(m.rssMb), heapUsedMb: Number(m.heapUsedMb), heapTotalMb: Number(m.heapTotalMb), peakRssMb: m.peakRssMb === null ? null : Number(m.peakRssMb) };
      }
      const m = process.memoryUsage();
      const { peakRssMb } = await import("./memory.js");
      return { rssMb: m.rss / 1048576, heapUsedMb: m.heapUsed / 1048576, heapTotalMb: m.heapTotal / 1048576, peakRssMb: peakRssMb() };
    },
    async resetServerTimes() {
      if (child) await child.ask({ type: "resetLoopDelay" }, "loopDelayReset");
    },
    async serverTimes() {
      if (!child) return undefined;
      const stats = await child.ask({ type: "stats" }, "stats");
      return { webhooksMs: stats.webhooksMs as ServerTimes["webhooksMs"], cpuMs: Number(stats.cpuMs) };
    },
    api,
    createAgent: agentMaker(carrier, api),
    async addAgent(name, languages) {
      const created = await rig.createAgent(name, languages);
      const endpoint = created.endpoint;
      const socket = await DeskSocket.open(wsUrl, created.token);
      sockets.push(socket);
      const ack = socket.next("ack");
      socket.send({ type: "status", status: "available" });
      await ack;
      return { id: created.id, endpoint, languages, socket };
    },
    wsUrl,
    async supervisorToken(name) {
      // POST /api/users (admin) where the server has it; else the user store, as the admin tools use it.
      const viaApi = await api("POST", "/api/users", { name, role: "supervisor" });
      if (viaApi.status === 201) return String(viaApi.body.token);
      if (local) return (await createUser(local.services.ctx, { name, role: "supervisor" }, "bench")).token;
      return String((await child!.ask({ type: "createUser", name, role: "supervisor" }, "createdUser")).token);
    },
    async addSupervisor(name) {
      const socket = await DeskSocket.open(wsUrl, await rig.supervisorToken(name));
      sockets.push(socket);
      return socket;
    },
    async close() {
      await Promise.all(sockets.map((s) => s.close()));
      await local?.close();
      await child?.stop();
      await carrier.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return rig;
}

export type { JsonApi };

/** The server's JSON API as the bench's admin (or a call's own token). */
export const jsonApi = (baseUrl: string): JsonApi => sharedJsonApi(baseUrl, BENCH_ADMIN_TOKEN);

/** Creates agents through the API, each with a phone of its own that the carrier answers. */
export function agentMaker(carrier: Carrier, api: JsonApi): (name: string, languages: string[]) => Promise<{ id: string; token: string; endpoint: string }> {
  let count = 0;
  return async (name, languages) => {
    count += 1;
    const endpoint = `client:bench_agent_${count}`;
    carrier.endpoint(endpoint).setMode("answer");
    const created = await api("POST", "/api/agents", { name, languages, endpoint });
    if (created.status !== 201) throw new Error(`agent not created: ${JSON.stringify(created.body)}`);
    return { id: String(created.body.id), token: String(created.body.token), endpoint };
  };
}
