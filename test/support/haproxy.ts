import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./free-port.js";

/** Debian's HAProxy running the project's deploy/haproxy.cfg, pointed at the test's instances. */
export interface TestHaproxy {
  /** The balancer's own address: what the carrier, agents and supervisors are given. */
  origin: string;
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

export async function startHaproxy(serverPorts: number[]): Promise<TestHaproxy> {
  const dir = mkdtempSync(join(tmpdir(), "hotline-haproxy-"));
  const port = await freePort();
  const shipped = readFileSync(new URL("../../deploy/haproxy.cfg", import.meta.url), "utf8");
  const file = join(dir, "haproxy.cfg");
  writeFileSync(file, testConfig(shipped, port, serverPorts));
  // -db: stay in the foreground, so the test owns the process; -W would add a master we do not need.
  const child: ChildProcess = spawn("haproxy", ["-db", "-f", file], { stdio: ["ignore", "ignore", "pipe"] });
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
  return {
    origin: `http://127.0.0.1:${port}`,
    async stop() {
      process.off("exit", killNow);
      child.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
