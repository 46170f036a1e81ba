import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManualClock } from "../../src/clock.js";
import { loadConfig, type Config } from "../../src/config.js";
import { createHotline, type Hotline } from "../../src/hotline.js";
import { createLogger, type Logger } from "../../src/logger.js";
import { freePort } from "./free-port.js";
import { engineSettings } from "./test-database.js";

export const TEST_ADMIN_TOKEN = "test-admin-token-0123456789";

// Re-exported: the end-to-end tests take it from here.
export { freePort };

export interface Running {
  hotline: Hotline;
  config: Config;
  clock: ManualClock;
  baseUrl: string;
  dir: string;
  stop(): Promise<void>;
}

/**
 * One real hotline server per test file: real HTTP on loopback, a file database (or, in the "postgres"
 * project, a fresh database on the test cluster), a manual clock.
 */
export async function startHotline(env: Record<string, string> = {}, opts: { dir?: string; clock?: ManualClock; port?: number; log?: Logger } = {}): Promise<Running> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), "hotline-test-"));
  const port = opts.port ?? (await freePort());
  const config = loadConfig({
    PORT: String(port),
    HOST: "127.0.0.1",
    DB_FILE: join(dir, "hotline.db"),
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    // Quiet by default; HOTLINE_TEST_LOG_LEVEL=warn shows what went wrong in a failing run.
    LOG_LEVEL: process.env.HOTLINE_TEST_LOG_LEVEL ?? "silent",
    FLOWS_DIR: "./voice-flows",
    ...(await engineSettings()),
    ...env,
  });
  const clock = opts.clock ?? new ManualClock();
  const hotline = await createHotline(config, { clock, log: opts.log ?? createLogger(config.LOG_LEVEL) });
  await hotline.app.listen({ port, host: "127.0.0.1" });
  await hotline.start();
  return {
    hotline,
    config,
    clock,
    baseUrl: config.PUBLIC_BASE_URL,
    dir,
    async stop() {
      await hotline.close();
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
