import { execFile, execFileSync } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "./free-port.js";

const run = promisify(execFile);

/** A PostgreSQL cluster of the test's own, thrown away by stop(); nothing of it outlives the test. */
export interface TestPostgres {
  /** Connects as the superuser `postgres` to the database `postgres`, without a password. */
  url: string;
  stop(): Promise<void>;
}

/** Debian installs each major version under /usr/lib/postgresql/<version>/bin; the newest is used. */
function serverBin(program: string): string {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, "bin", program))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error(`no ${root}/<version>/bin/${program}: install Debian's postgresql package (scripts/test-deps.sh does)`);
  return join(root, newest, "bin", program);
}

// PostgreSQL refuses to run as root, and CI runs as root: there, its programs run as the `postgres`
// user that Debian's package creates, in a directory given to that user.
const asRoot = process.getuid?.() === 0;
const command = (program: string, args: string[]): [string, string[]] =>
  asRoot ? ["runuser", ["-u", "postgres", "--", serverBin(program), ...args]] : [serverBin(program), args];

/**
 * initdb into a fresh temporary directory and pg_ctl start on a free port of 127.0.0.1 (its unix socket
 * in that directory, so it meets no other cluster's). Durability is off: the data dies with the test.
 */
export async function startPostgres(): Promise<TestPostgres> {
  const dir = mkdtempSync(join(tmpdir(), "hotline-pg-"));
  const data = join(dir, "data");
  const log = join(dir, "server.log");
  let started = false;
  // Should the test process end without stop() (a crash, an exit mid-test), the server still goes.
  // "immediate" skips the shutdown checkpoint: nothing here is worth keeping.
  const stopArgs = command("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
  // Should the test process end without stop() (a crash, an exit mid-test), the server still goes.
  const stopNow = () => {
    try {
      if (started) execFileSync(...stopArgs, { stdio: "ignore" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  process.once("exit", stopNow);
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      process.off("exit", stopNow);
      try {
        if (started) await run(...stopArgs);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    })());
  try {
    if (asRoot) await run("chown", ["postgres:", dir]);
    await run(...command("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "--no-locale", "-E", "UTF8", "--no-sync", "--no-instructions"]));
    const port = await freePort();
    appendFileSync(
      join(data, "postgresql.conf"),
      [
        `port = ${port}`,
        "listen_addresses = '127.0.0.1'",
        `unix_socket_directories = '${dir}'`,
        "fsync = off",
        "synchronous_commit = off",
        "full_page_writes = off",
        "",
      ].join("\n"),
    );
    // Counted as started before pg_ctl answers: a server that came up too slowly is still stopped.
    started = true;
    await run(...command("pg_ctl", ["-D", data, "-l", log, "-w", "start"]));
    return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, stop };
  } catch (err) {
    const serverLog = existsSync(log) ? readFileSync(log, "utf8") : "";
    await stop().catch(() => undefined);
    throw new Error(`the test PostgreSQL did not start: ${(err as Error).message}\n${serverLog}`);
  }
}
