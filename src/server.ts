// Entry point: `npm start`. Starts the hotline and, in simulator mode, the built-in carrier beside it.
import { ConfigError, loadConfig } from "./config.js";
import { createHotline, StartupError } from "./hotline.js";

async function main(): Promise<void> {
  const config = loadConfig();
  const hotline = await createHotline(config);
  const { log } = hotline.services;
  await hotline.app.listen({ port: config.PORT, host: config.HOST });
  hotline.start();
  log.info({ url: config.PUBLIC_BASE_URL, telephony: config.TELEPHONY }, "hotline listening");

  const stop = async (signal: string) => {
    log.info({ signal }, "shutting down");
    await hotline.close();
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
