import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { projectPath } from "../../src/project-files.js";

/** The project root: children run there so `--import tsx` and relative paths (voice-flows) resolve. */
export const ROOT = projectPath();

export interface ChildMessage {
  type: string;
  [key: string]: unknown;
}

/**
 * A TypeScript module run as its own Node process (through tsx), talking over IPC; or, `built`, a bundle
 * made by scripts/build.ts (given by its absolute path) run on plain Node, as `npm start` runs the hotline.
 * Servers under load and every bench section get their own process: their own core, heap and peak RSS.
 */
export class Child {
  private readonly waiting = new Map<string, Array<(m: ChildMessage) => void>>();
  /** Messages that arrived before anyone asked for them. */
  private readonly early: ChildMessage[] = [];
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly proc: ChildProcess;

  constructor(module: string, args: string[] = [], opts: { env?: Record<string, string>; quiet?: boolean; execArgv?: string[]; built?: boolean } = {}) {
    this.proc = fork(fileURLToPath(new URL(module, new URL("../", import.meta.url))), args, {
      cwd: ROOT,
      // BENCH_CPU_PROF=<dir> writes a V8 CPU profile of every child (servers included) there.
      execArgv: [...(opts.built ? ["--enable-source-maps"] : ["--import", "tsx"]), ...(process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []), ...(opts.execArgv ?? [])],
      env: { ...process.env, ...opts.env },
      // Server logs go nowhere: writing them is part of the server's cost, reading them is not.
      stdio: opts.quiet ? ["ignore", "ignore", "inherit", "ipc"] : ["ignore", "inherit", "inherit", "ipc"],
    });
    this.proc.on("message", (raw) => {
      const m = raw as ChildMessage;
      const list = this.waiting.get(m.type);
      const next = list?.shift();
      if (next) next(m);
      else this.early.push(m);
    });
    this.exited = new Promise((resolve) =>
      this.proc.on("exit", (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      }),
    );
  }

  /** The next message of a type; rejects if the child exits first or after timeoutMs. */
  next(type: string, timeoutMs = 120_000): Promise<ChildMessage> {
    const idx = this.early.findIndex((m) => m.type === type);
    if (idx >= 0) return Promise.resolve(this.early.splice(idx, 1)[0]!);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`child did not send "${type}" within ${timeoutMs} ms`)), timeoutMs);
      const done = (m: ChildMessage) => {
        clearTimeout(timer);
        resolve(m);
      };
      const list = this.waiting.get(type) ?? [];
      list.push(done);
      this.waiting.set(type, list);
      void this.exited.then((info) => {
        clearTimeout(timer);
        reject(new Error(`child exited (code ${info.code}, signal ${info.signal}) before sending "${type}"`));
      });
    });
  }

  send(message: ChildMessage): void {
    this.proc.send(message);
  }

  /** Ask, then wait for the answer of the given type. */
  async ask(message: ChildMessage, answer: string, timeoutMs?: number): Promise<ChildMessage> {
    const reply = this.next(answer, timeoutMs);
    this.send(message);
    return reply;
  }

  async stop(timeoutMs = 10_000): Promise<void> {
    if (this.exitInfo) return;
    try {
      this.send({ type: "stop" });
    } catch {
      /* already gone */
    }
    const timer = setTimeout(() => this.proc.kill("SIGKILL"), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** In a child: send a message to the parent. */
export function tell(message: ChildMessage): void {
  process.send?.(message);
}

/** In a child: handle the parent's messages. A child whose parent is gone (killed on a timeout) exits too. */
export function onParent(handler: (m: ChildMessage) => void | Promise<void>): void {
  process.on("message", (raw) => void handler(raw as ChildMessage));
  process.on("disconnect", () => process.exit(1));
}
