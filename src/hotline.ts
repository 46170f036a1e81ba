import type { FastifyInstance } from "fastify";
import { openDatabase } from "../db/connection.js";
import { buildApp } from "./app.js";
import { systemClock, type Clock } from "./clock.js";
import type { Config } from "./config.js";
import { EventBus } from "./events/event-log.js";
import { checkFlows } from "./ivr/flow-check.js";
import { loadFlows } from "./ivr/flow-loader.js";
import { PromptCatalog } from "./ivr/prompt-catalog.js";
import { seedCapacity } from "./lines/line-capacity.js";
import { createLogger, type Logger } from "./logger.js";
import type { Services } from "./services.js";
import { TwimlWriter } from "./telephony/twiml.js";
import { ensureBootstrapAdmin } from "./users/user-store.js";

/** The simulator's local credentials: only ever used between this server and the built-in carrier. */
export const SIMULATOR_ACCOUNT_SID = `AC${"0".repeat(32)}`;
export const SIMULATOR_AUTH_TOKEN = "simulator-auth-token";

export interface Hotline {
  app: FastifyInstance;
  services: Services;
  close(): Promise<void>;
}

export class StartupError extends Error {}

/** Opens the database, loads and checks the flows, and builds the app: everything but listening. */
export async function createHotline(config: Config, opts: { clock?: Clock; log?: Logger } = {}): Promise<Hotline> {
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? createLogger(config.LOG_LEVEL);
  const flows = loadFlows(config.FLOWS_DIR);
  const report = checkFlows(flows);
  if (report.errors.length) {
    throw new StartupError(`voice flows in ${config.FLOWS_DIR} have errors (run npm run flows:check):\n  ${report.errors.join("\n  ")}`);
  }
  const db = openDatabase(config.DB_FILE);
  const ctx = { db, clock, bus: new EventBus() };
  seedCapacity(ctx, config.LINES);
  if (config.ADMIN_TOKEN) ensureBootstrapAdmin(ctx, config.ADMIN_TOKEN);
  const simulated = config.TELEPHONY === "simulator";
  const services: Services = {
    config,
    ctx,
    log,
    flows,
    catalog: new PromptCatalog(flows),
    twiml: new TwimlWriter(config.PUBLIC_BASE_URL),
    authToken: config.TWILIO_AUTH_TOKEN ?? (simulated ? SIMULATOR_AUTH_TOKEN : ""),
    accountSid: config.TWILIO_ACCOUNT_SID ?? SIMULATOR_ACCOUNT_SID,
  };
  const app = await buildApp(services);
  return {
    app,
    services,
    async close() {
      await app.close();
      db.$client.close();
    },
  };
}
