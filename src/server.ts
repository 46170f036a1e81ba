// Entry point: `npm start`. Starts the hotline and, in simulator mode, the built-in carrier beside it.
import { randomBytes } from "node:crypto";
import { startSimulator, type RunningSimulator } from "./carrier/index.js";
import { systemClock } from "./clock.js";
import { ConfigError, loadConfig, simulatorPort, type Config } from "./config.js";
import { createHotline, StartupError } from "./hotline.js";
import { createLogger } from "./logger.js";
import { connectionOverrides } from "./telephony/connection-overrides.js";
import { SIMULATOR_ACCOUNT_SID, SIMULATOR_AUTH_TOKEN, SIMULATOR_HOTLINE_NUMBER } from "./simulator-credentials.js";

async function main(): Promise<void> {
  let config: Config = loadConfig();
  const log = createLogger(config.LOG_LEVEL);
  let simulator: RunningSimulator | undefined;
  let generatedToken: string | undefined;
  // Only in simulator mode: the built-in carrier plays Twilio (webhooks, REST API, /sim routes, web phone)
  // with no authentication, so on a real account none of it exists.
  if (config.TELEPHONY === "simulator") {
    simulator = await startSimulator({
      publicBaseUrl: config.PUBLIC_BASE_URL,
      accountSid: config.TWILIO_ACCOUNT_SID ?? SIMULATOR_ACCOUNT_SID,
      authToken: config.TWILIO_AUTH_TOKEN ?? SIMULATOR_AUTH_TOKEN,
      hotlineNumber: config.HOTLINE_NUMBER ?? SIMULATOR_HOTLINE_NUMBER,
      clock: systemClock,
      logger: log,
      port: simulatorPort(config),
      host: config.HOST,
      connectionOverrides: connectionOverrides(config),
    });
    if (!config.ADMIN_TOKEN) generatedToken = randomBytes(18).toString("base64url");
    config = { ...config, TWILIO_API_BASE_URL: simulator.origin, ADMIN_TOKEN: config.ADMIN_TOKEN ?? generatedToken };
  }
  const hotline = await createHotline(config, { log });
  await hotline.app.listen({ port: config.PORT, host: config.HOST });
  await hotline.start();
  log.info({ url: config.PUBLIC_BASE_URL, telephony: config.TELEPHONY }, "hotline listening");
  if (simulator) {
    // Printed, not logged: a person starting the simulator needs these on screen.
    console.log(`\n  1300 hotline running with the built-in carrier (no Twilio account needed)`);
    console.log(`  Test-call page (dial, press keys, answer as an agent): ${simulator.origin}/`);
    console.log(`  Agent desktop:  ${config.PUBLIC_BASE_URL}/agent`);
    console.log(`  Wallboard:      ${config.PUBLIC_BASE_URL}/wallboard`);
    console.log(`  Recordings:     ${config.PUBLIC_BASE_URL}/recordings`);
    if (generatedToken) console.log(`  Admin token for this run: ${generatedToken}`);
    console.log("");
  }

  // SIGTERM (a deploy, a rolling restart) drains: health says 503 at once and pages reconnect elsewhere,
  // requests keep being served for DRAIN_GRACE_MS while the balancer notices, then the ones in flight
  // finish and the process exits. SIGINT (Ctrl-C at a terminal) skips the grace.
  const stop = async (signal: string) => {
    log.info({ signal }, "shutting down");
    hotline.drain();
    if (signal === "SIGTERM" && config.DRAIN_GRACE_MS > 0) {
      log.info({ graceMs: config.DRAIN_GRACE_MS }, "draining: /health answers 503, requests are still served");
      await new Promise((resolve) => setTimeout(resolve, config.DRAIN_GRACE_MS));
    }
    await hotline.close();
    await simulator?.close();
    log.info({ signal }, "shut down: requests in flight finished");
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof StartupError) {
    console.error(err.message);
    process.exit(1);
  }
  console.error(err);
  process.exit(1);
});
