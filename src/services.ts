import type { Config } from "./config.js";
import type { Ctx } from "./events/event-log.js";
import type { Logger } from "./logger.js";
import type { LoadedFlows } from "./ivr/flow-loader.js";
import type { PromptCatalog } from "./ivr/prompt-catalog.js";
import type { TwimlWriter } from "./telephony/twiml.js";
import type { TaskRunner } from "./tasks/task-runner.js";
import type { Dispatcher } from "./queue/dispatcher.js";
import type { CarrierApi } from "./telephony/carrier-api.js";
import type { LiveFigures } from "./stats/live-figures.js";
import type { AgentBoard } from "./stats/agent-board.js";
import type { Draining } from "./http/draining.js";
import type { ApprovedIndex } from "./recordings/approved-index.js";
import type { RecordingCalls } from "./recordings/recording-calls.js";
import type { SessionScript } from "./recordings/session-script.js";

/** What the HTTP edge needs, built once at start (src/server.ts) or per test file. */
export interface Services {
  config: Config;
  ctx: Ctx;
  /** The context the busiest webhooks write through: one commit per turn of the event loop for all of them. */
  webhookCtx: Ctx;
  log: Logger;
  flows: LoadedFlows;
  catalog: PromptCatalog;
  twiml: TwimlWriter;
  /** Signs and verifies webhooks: the account's auth token, or the simulator's. */
  authToken: string;
  accountSid: string;
  carrier: CarrierApi;
  tasks: TaskRunner;
  dispatcher: Dispatcher;
  /** The key of the keyed hash that anonymised numbers carry (src/privacy). */
  pseudonymKey: string;
  /** Set on SIGTERM: /health answers 503 and live sockets are told to reconnect elsewhere. */
  draining: Draining;
  /** Prompts recorded by staff: the approved ones in memory, the phone sessions' carrier work, what the recorder hears. */
  recordings: { approved: ApprovedIndex; calls: RecordingCalls; script: SessionScript };
  /** GET /api/stats, computed now. */
  figures(): Promise<LiveFigures & { referrals: { open: number; overdue: number }; onDuty: AgentBoard }>;
}
