import { spawn, type ChildProcess } from "node:child_process";
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./free-port.js";

/** Debian's HAProxy running the project's deploy/haproxy.cfg, pointed at the test's instances. */
export interface TestHaproxy {
  /** The balancer's own address: what the carrier, agents and supervisors are given. */
  origin: string;
  /**
   * What its health checks decided, in order, from its log: a server (hotline1, hotline2, ...) taken out
   * ("DOWN") or put back ("UP"), and "none" when no server was left to take requests.
   */
  readonly changes: ReadonlyArray<{ server: string; state: "UP" | "DOWN" } | { server: null; state: "none" }>;
  /**
   * Requests it sent to a server again (a refused connection, an instance that died before answering),
   * from its log: the server that finally answered, the request line and the status.
   */
  readonly retried: ReadonlyArray<{ server: string; request: string; status: number }>;
  /** Resolves once `server`'s latest change, among those from index `since` on, is `state`. */
  reached(server: string, state: "UP" | "DOWN", since?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The shipped config with only its addresses changed: the frontend binds a free loopback port, and the
 * backend's servers are the given ports of 127.0.0.1 (named hotline1, hotline2, ...).
 */
export function testConfig(shipped: string, bindPort: number, serverPorts: number[]): string {
  const lines = shipped.split("\n").filter((line) => !/^\s*server\s/.test(line));
  const out = lines.map((line) => (/^\s*bind\s/.test(line) ? `    bind 127.0.0.1:${bindPort}` : line));
  // The backend is the file's last section, and its servers its last lines, as in the shipped file.
  const text = out.join("\n").trimEnd();
  return `${text}\n${serverPorts.map((p, i) => `    server hotline${i + 1} 127.0.0.1:${p} check`).join("\n")}\n`;
}

/** `logFile`: HAProxy's log (a line per request, and its checks' decisions) is appended there too. */
export async function startHaproxy(serverPorts: number[], opts: { logFile?: string } = {}): Promise<TestHaproxy> {
  const dir = mkdtempSync(join(tmpdir(), "hotline-haproxy-"));
  const port = await freePort();
  const shipped = readFileSync(new URL("../../deploy/haproxy.cfg", import.meta.url), "utf8");
  const file = join(dir, "haproxy.cfg");
  writeFileSync(file, testConfig(shipped, port, serverPorts));
  // -db: stay in the foreground, so the test owns the process; -W would add a master we do not need.
  const child: ChildProcess = spawn("haproxy", ["-db", "-f", file], { stdio: ["ignore", "pipe", "pipe"] });
  const changes: Array<{ server: string; state: "UP" | "DOWN" } | { server: null; state: "none" }> = [];
  const retried: Array<{ server: string; request: string; status: number }> = [];
  const listeners = new Set<() => void>();
  let partial = "";
  child.stdout?.on("data", (d: Buffer) => {
    const text = partial + d.toString();
    const lines = text.split("\n");
    partial = lines.pop() ?? "";
    if (opts.logFile && lines.length) appendFileSync(opts.logFile, lines.join("\n") + "\n");
    for (const line of lines) {
      const change = /^Server \S+\/(\S+) is (UP|DOWN)/.exec(line);
      if (change) changes.push({ server: change[1]!, state: change[2] as "UP" | "DOWN" });
      else if (/has no server available/.test(line)) changes.push({ server: null, state: "none" });
      // httplog: "... backend/server Tq/Tw/Tc/Tr/Ta status bytes - - flags act/fe/be/srv/retries queues "request""
      const request = / \S+\/(\S+) [-\d]+\/[-\d]+\/[-\d]+\/[-\d]+\/[-+\d]+ (\d+) .* \d+\/\d+\/\d+\/\d+\/(\+?\d+) \d+\/\d+ "([^"]*)"/.exec(line);
      if (request && request[3] !== "0") retried.push({ server: request[1]!, status: Number(request[2]), request: request[4]! });
    }
    for (const listener of [...listeners]) listener();
  });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const killNow = () => child.kill("SIGKILL");
  process.once("exit", killNow);
  // Ready once the frontend accepts connections.
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`haproxy exited: ${stderr}`);
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
      () => true,
      () => false,
    );
    if (ok) break;
    if (i > 200) throw new Error(`haproxy did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  const latest = (server: string, since: number) => changes.slice(since).filter((c) => c.server === server).at(-1)?.state;
  return {
    origin: `http://127.0.0.1:${port}`,
    changes,
    retried,
    reached(server, state, since = 0) {
      if (latest(server, since) === state) return Promise.resolve();
      return new Promise((resolve) => {
        const listener = () => {
          if (latest(server, since) !== state) return;
          listeners.delete(listener);
          resolve();
        };
        listeners.add(listener);
      });
    },
    async stop() {
      process.off("exit", killNow);
      child.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
