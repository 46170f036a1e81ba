// The hotline in a child process as the sections run it (1, 4, 7 and bench/profile.ts), bundled as npm start runs it: configured
// like `npm start`, LOG_LEVEL info (its lines go to /dev/null), the built-in carrier's REST on a closed
// port (nothing on these paths calls the carrier; a stray request fails fast).
import { bundle } from "../../scripts/build.js";
import { projectPath } from "../../src/project-files.js";
import { Child } from "./child.js";
import { freePort } from "./net.js";

export const BENCH_ADMIN_TOKEN = "bench-admin-token-0123456789";

/** The database the child runs on: a SQLite file, or a PostgreSQL database. */
export type BenchDatabase = { DB_FILE: string } | { DATABASE_URL: string };

/**
 * Starts the child and waits until it listens. `lines`, when given, is the capacity it starts with: the
 * webhook sections keep every call they create on a line, so it must hold them all.
 */
export async function startHotlineChild(database: BenchDatabase, lines?: number, readyMs = 60_000): Promise<{ hotline: Child; baseUrl: string }> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const hotline = await hotlineServerChild({
    PORT: String(port),
    HOST: "127.0.0.1",
    PUBLIC_BASE_URL: baseUrl,
    ...database,
    TELEPHONY: "simulator",
    TWILIO_API_BASE_URL: "http://127.0.0.1:9",
    ADMIN_TOKEN: BENCH_ADMIN_TOKEN,
    LOG_LEVEL: "info",
    ...(lines === undefined ? {} : { BENCH_LINES: String(lines) }),
  });
  try {
    await hotline.next("ready", readyMs);
  } catch (err) {
    await hotline.stop().catch(() => {});
    throw err;
  }
  return { hotline, baseUrl };
}

let built: Promise<string> | undefined;

/**
 * servers/hotline-server.ts in a process of its own, run as `npm start` runs the hotline: bundled by
 * scripts/build.ts (once per bench process) and run on plain Node, so its memory and start-up are the
 * production server's, not tsx's. BENCH_FROM_SOURCES=1 runs its sources through tsx instead: a CPU
 * profile then names each source file (bench/profile.ts sets it, its summary counts by file).
 */
export async function hotlineServerChild(env: Record<string, string>): Promise<Child> {
  if (process.env.BENCH_FROM_SOURCES === "1") return new Child("servers/hotline-server.ts", [], { quiet: true, env });
  built ??= (async () => {
    const out = projectPath("bench", "results", "bundles", "hotline-server.mjs");
    await bundle(projectPath("bench", "servers", "hotline-server.ts"), out);
    return out;
  })();
  return new Child(await built, [], { quiet: true, env, built: true });
}
