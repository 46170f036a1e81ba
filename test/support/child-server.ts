import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { SIMULATOR_ACCOUNT_SID, SIMULATOR_AUTH_TOKEN, SIMULATOR_HOTLINE_NUMBER } from "../../src/hotline.js";
import { startSimulator, type Carrier } from "../../src/carrier/index.js";
import { ManualClock } from "../../src/clock.js";
import { TEST_ADMIN_TOKEN } from "./hotline-fixture.js";
import { SERVER_BUNDLE } from "../../scripts/build.js";

/**
 * The account a child server in twilio mode and its stand-in carrier share: twilio mode refuses the
 * simulator's own credentials, as it would on a real deployment.
 */
export const STAND_IN_ACCOUNT = { accountSid: `AC${"5".repeat(32)}`, authToken: "stand-in-auth-token" };

/** The real server in its own process, as `npm start` runs it (the bundle: build-global-setup.ts), so a test can SIGKILL it mid-work. */
export interface ChildServer {
  process: ChildProcess;
  kill(): Promise<void>;
  /** Resolves with the exit code once the process has ended (however it was stopped). */
  exited: Promise<number | null>;
  /** What it has printed to stderr so far. */
  stderr(): string;
}

/** `logFile`: the server's log lines (its stdout) are appended there; without it they are dropped. */
export async function startChildServer(opts: { port: number; dbFile: string; carrierOrigin: string; env?: Record<string, string>; logFile?: string }): Promise<ChildServer> {
  const server = spawnServer(
    {
      PORT: String(opts.port),
      HOST: "127.0.0.1",
      PUBLIC_BASE_URL: `http://127.0.0.1:${opts.port}`,
      DB_FILE: opts.dbFile,
      TELEPHONY: "twilio",
      TWILIO_ACCOUNT_SID: STAND_IN_ACCOUNT.accountSid,
      TWILIO_AUTH_TOKEN: STAND_IN_ACCOUNT.authToken,
      TWILIO_API_BASE_URL: opts.carrierOrigin,
      HOTLINE_NUMBER: "+6621300000",
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      LOG_LEVEL: "silent",
      ...opts.env,
    },
    opts.logFile,
  );
  if (!(await server.ready(opts.port))) throw new Error(`server exited: ${server.stderr()}`);
  return {
    process: server.child,
    exited: server.exited,
    stderr: server.stderr,
    async kill() {
      server.child.kill("SIGKILL");
      await server.exited;
    },
  };
}

/**
 * Starts npm start's entry with exactly these settings (on top of the test's own environment) and
 * expects it to refuse: resolves with its exit code and what it printed. A server that starts is killed
 * and the promise rejects.
 */
export async function refusedStart(env: Record<string, string> & { PORT: string }): Promise<{ code: number | null; stderr: string }> {
  const server = spawnServer({ LOG_LEVEL: "silent", ...env });
  if (await server.ready(Number(env.PORT))) {
    server.child.kill("SIGKILL");
    await server.exited;
    throw new Error("the server started");
  }
  return { code: await server.exited, stderr: server.stderr() };
}

function spawnServer(env: Record<string, string>, logFile?: string) {
  const log = logFile === undefined ? "ignore" : openSync(logFile, "a");
  const child = spawn(process.execPath, ["--enable-source-maps", SERVER_BUNDLE], { env: { ...process.env, ...env }, stdio: ["ignore", log, "pipe"] });
  // The child has its own copy of the descriptor.
  if (typeof log === "number") closeSync(log);
  let stderr = "";
  child.stderr?.on("data", (d) => (stderr += String(d)));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    child,
    exited,
    stderr: () => stderr,
    /** True once /health answers; false if the process exits first. */
    async ready(port: number): Promise<boolean> {
      for (;;) {
        if (child.exitCode !== null) return false;
        try {
          const res = await fetch(`http://127.0.0.1:${port}/health`);
          if (res.ok) return true;
        } catch {
          /* not listening yet */
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

/**
 * A built-in carrier on loopback for a hotline on `port`: in the test's process, so it outlives a server
 * that a test kills. `clock` is shared with an in-process server to move time for both; `account` is the
 * simulator's own for an in-process server in simulator mode, STAND_IN_ACCOUNT for a child server.
 */
export async function carrierFor(
  port: number,
  clock = new ManualClock(),
  account = { accountSid: SIMULATOR_ACCOUNT_SID, authToken: SIMULATOR_AUTH_TOKEN },
): Promise<{ carrier: Carrier; origin: string; base: string }> {
  const base = `http://127.0.0.1:${port}`;
  const { carrier, origin } = await startSimulator({
    publicBaseUrl: base,
    ...account,
    hotlineNumber: SIMULATOR_HOTLINE_NUMBER,
    clock,
  });
  return { carrier, origin, base };
}
