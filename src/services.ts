import type { Config } from "./config.js";
import type { Ctx } from "./events/event-log.js";
import type { Logger } from "./logger.js";
import type { LoadedFlows } from "./ivr/flow-loader.js";
import type { PromptCatalog } from "./ivr/prompt-catalog.js";
import type { TwimlWriter } from "./telephony/twiml.js";

/** What the HTTP edge needs, built once at start (src/server.ts) or per test file. */
export interface Services {
  config: Config;
  ctx: Ctx;
  log: Logger;
  flows: LoadedFlows;
  catalog: PromptCatalog;
  twiml: TwimlWriter;
  /** Signs and verifies webhooks: the account's auth token, or the simulator's. */
  authToken: string;
  accountSid: string;
}
