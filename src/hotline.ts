import type { FastifyInstance } from "fastify";
import { openDatabase } from "../db/connection.js";
import { startCheckpointer } from "../db/checkpointer.js";
import { buildApp } from "./app.js";
import { systemClock, type Clock } from "./clock.js";
import type { Config } from "./config.js";
import { EventBus, type Ctx } from "./events/event-log.js";
import { CommitGroup } from "./events/commit-group.js";
import { checkFlows } from "./ivr/flow-check.js";
import { loadFlows } from "./ivr/flow-loader.js";
import { PromptCatalog } from "./ivr/prompt-catalog.js";
import { seedCapacity } from "./lines/line-capacity.js";
import { createLogger, type Logger } from "./logger.js";
import type { Services } from "./services.js";
import { TwimlWriter } from "./telephony/twiml.js";
import { connectionOverrides } from "./telephony/connection-overrides.js";
import { ensureBootstrapAdmin } from "./users/user-store.js";
import { TaskRunner } from "./tasks/task-runner.js";
import { Draining } from "./http/draining.js";
import { Dispatcher } from "./queue/dispatcher.js";
import { twilioCarrier } from "./telephony/twilio-carrier.js";
import { twilioCallControl } from "./telephony/call-control.js";
import { liveFigures } from "./stats/live-figures.js";
import { agentBoard } from "./stats/agent-board.js";
import { scheduleReconciliation, type Reconciliation } from "./lines/line-reconciler.js";
import { RealtimeHub } from "./realtime/hub.js";
import { backlogFigures, mostUrgent, nextDeadline } from "./callbacks/callback-store.js";
import { publicItem } from "./callbacks/callback-view.js";
import { TransferControl } from "./telephony/transfer-control.js";
import { seedCaseCategories } from "./cases/case-categories.js";
import { nextReferralDeadline, referralFigures } from "./cases/referral-service.js";
import { recordTransfersAsReferrals } from "./cases/transfer-referral.js";
import { startTexter } from "./callbacks/texter.js";
import type { Language } from "./languages.js";
import { pseudonymKey } from "./privacy/pseudonym.js";
import { scheduleRetention } from "./privacy/retention.js";
import { scheduleAuditRetention } from "./audit/audit-retention.js";
import { ApprovedIndex } from "./recordings/approved-index.js";
import { RecordingCalls } from "./recordings/recording-calls.js";
import { SessionScript } from "./recordings/session-script.js";
import { SIMULATOR_ACCOUNT_SID, SIMULATOR_AUTH_TOKEN, SIMULATOR_HOTLINE_NUMBER } from "./simulator-credentials.js";

// Re-exported: tests and benches import the simulator's credentials from here.
export { SIMULATOR_ACCOUNT_SID, SIMULATOR_AUTH_TOKEN, SIMULATOR_HOTLINE_NUMBER };

export interface Hotline {
  app: FastifyInstance;
  services: Services;
  /** Resumes timers and routing from the stored state and starts reconciliation with the carrier. */
  start(): void;
  /** Resolves when no reconciliation with the carrier is under way. */
  reconciled(): Promise<void>;
  /**
   * SIGTERM's first step: /health answers 503 and live sockets are told to reconnect; everything else
   * (requests, webhooks, timers) carries on until close().
   */
  drain(): void;
  /** Stops taking connections, lets requests in flight finish, then stops timers and closes the database. */
  close(): Promise<void>;
}

/** How often the WAL is copied into the database file, off the request path. */
const CHECKPOINT_INTERVAL_MS = 250;

export class StartupError extends Error {}

/** Opens the database, loads and checks the flows, and builds the app: everything but listening. */
export async function createHotline(config: Config, opts: { clock?: Clock; log?: Logger } = {}): Promise<Hotline> {
  // Checked here, where the storage engine is chosen, not in loadConfig: the URL is valid configuration,
  // what this version lacks is the engine. Refused before anything is opened, so no SQLite file appears
  // for an operator who asked for a shared database.
  if (config.DATABASE_URL) {
    throw new StartupError("DATABASE_URL is set, but PostgreSQL storage is not available in this version: unset it to run on SQLite (DB_FILE)");
  }
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? createLogger(config.LOG_LEVEL);
  const flows = loadFlows(config.FLOWS_DIR);
  const report = checkFlows(flows);
  if (report.errors.length) {
    throw new StartupError(`voice flows in ${config.FLOWS_DIR} have errors (run npm run flows:check):\n  ${report.errors.join("\n  ")}`);
  }
  const db = openDatabase(config.DB_FILE, { busyTimeoutMs: config.DB_BUSY_TIMEOUT_MS });
  const checkpointer = startCheckpointer(db.$client, { intervalMs: CHECKPOINT_INTERVAL_MS, onError: (message) => log.error(message) });
  const callbackPolicy = {
    slaMinutes: { emergency: config.CALLBACK_SLA_EMERGENCY_MINUTES, normal: config.CALLBACK_SLA_NORMAL_MINUTES },
    retryMinutes: config.CALLBACK_RETRY_MINUTES,
    claimMinutes: config.CALLBACK_CLAIM_MINUTES,
  };
  const ctx: Ctx = { db, clock, bus: new EventBus(), callbackPolicy, referralDueHours: config.REFERRAL_DUE_HOURS, group: new CommitGroup(db.$client, log) };
  seedCapacity(ctx, config.LINES);
  seedCaseCategories(ctx);
  if (config.ADMIN_TOKEN) ensureBootstrapAdmin(ctx, config.ADMIN_TOKEN);
  const simulated = config.TELEPHONY === "simulator";
  const authToken = config.TWILIO_AUTH_TOKEN ?? (simulated ? SIMULATOR_AUTH_TOKEN : "");
  const accountSid = config.TWILIO_ACCOUNT_SID ?? SIMULATOR_ACCOUNT_SID;
  const twiml = new TwimlWriter(config.PUBLIC_BASE_URL, connectionOverrides(config));
  const carrier = twilioCarrier({ accountSid, authToken, apiBaseUrl: config.TWILIO_API_BASE_URL, timeoutMs: config.TWILIO_TIMEOUT_MS });
  const tasks = new TaskRunner(clock, log);
  const times = { offerTimeoutSeconds: config.OFFER_TIMEOUT_SECONDS, wrapUpSeconds: config.WRAP_UP_SECONDS };
  const hotlineNumber = config.HOTLINE_NUMBER ?? SIMULATOR_HOTLINE_NUMBER;
  const dispatcher = new Dispatcher(ctx, twilioCallControl(carrier, twiml, hotlineNumber, times), tasks, times, log);
  const approved = new ApprovedIndex(db);
  const stopApproved = approved.follow(ctx.bus);
  const services: Services = {
    config,
    ctx,
    webhookCtx: { ...ctx, joinsGroup: true },
    log,
    flows,
    catalog: new PromptCatalog(flows, approved),
    twiml,
    authToken,
    accountSid,
    carrier,
    tasks,
    dispatcher,
    pseudonymKey: pseudonymKey(ctx, config.PSEUDONYM_KEY),
    draining: new Draining(),
    recordings: { approved, calls: new RecordingCalls(ctx, carrier, twiml, tasks, hotlineNumber, log), script: new SessionScript(flows) },
    figures: () => ({
      ...liveFigures(db, clock.now(), config.SERVICE_LEVEL_SECONDS, backlogFigures(db, clock.now()), config.TIMEZONE),
      // Referrals past their deadline are what the ministry's escalation center chases.
      referrals: referralFigures(db, clock.now()),
      onDuty: agentBoard(db, clock.now()),
    }),
  };
  const transfers = new TransferControl(ctx, carrier, twiml, tasks, hotlineNumber, log);
  const stopReferrals = recordTransfersAsReferrals(ctx, log);
  const stopTexts = startTexter(ctx, carrier, twiml, services.catalog, tasks, { from: hotlineNumber, allowedTopics: config.SMS_TOPICS, defaultLanguage: flows.flow.defaultLanguage as Language }, log);
  const hub = new RealtimeHub(
    ctx,
    services.figures,
    log,
    {
      // Wallboards are seen by many: the pushed list shows numbers masked; the API shows them (audited).
      summary: () => ({ at: new Date(clock.now()).toISOString(), ...backlogFigures(db, clock.now()), items: mostUrgent(db, clock.now(), 20).map((i) => publicItem(i, clock.now(), false)) }),
      // Callback items and referrals both turn overdue by time alone.
      nextDeadline: () => {
        const next = [nextDeadline(db, clock.now()), nextReferralDeadline(db, clock.now())].filter((t): t is number => t !== undefined);
        return next.length ? Math.min(...next) : undefined;
      },
    },
    { wrapUpSeconds: config.WRAP_UP_SECONDS },
  );
  const app = await buildApp(services, hub);
  let reconciliation: Reconciliation | undefined;
  let stopRetention = () => {};
  let stopAuditRetention = () => {};
  return {
    app,
    services,
    start() {
      dispatcher.resume();
      reconciliation = scheduleReconciliation(ctx, carrier, log, config.RECONCILE_SECONDS, [hotlineNumber]);
      stopRetention = scheduleRetention(ctx, services.pseudonymKey, config.RETENTION_DAYS, log);
      stopAuditRetention = scheduleAuditRetention(ctx, config.AUDIT_RETENTION_DAYS, log);
    },
    reconciled: () => reconciliation?.idle() ?? Promise.resolve(),
    drain: () => services.draining.start(),
    async close() {
      reconciliation?.stop();
      stopRetention();
      // Pages learn to reconnect even when close() comes without a drain first.
      services.draining.start();
      // Requests in flight finish with the domain still running: their work (routing, timers) is done whole.
      await app.close();
      stopAuditRetention();
      dispatcher.stop();
      transfers.stop();
      stopReferrals();
      stopTexts();
      stopApproved();
      hub.close();
      ctx.group?.commit();
      await checkpointer.close();
      db.$client.close();
    },
  };
}
