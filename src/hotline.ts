import type { FastifyInstance } from "fastify";
import { openSqliteStorage } from "../db/sqlite-storage.js";
import { openPgStorage } from "../db/pg-storage.js";
import type { Storage } from "../db/storage.js";
import { buildApp } from "./app.js";
import { systemClock, type Clock } from "./clock.js";
import type { Config } from "./config.js";
import { EventBus, type Ctx } from "./events/event-log.js";
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
import { PopReceipts } from "./realtime/pop-receipts.js";
import { backlogFigures, nextDeadline } from "./callbacks/callback-store.js";
import { mostUrgent } from "./callbacks/backlog-order.js";
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
import { loggableError } from "./log-scrub.js";
import { detached, detachedIdle, detachedWork } from "./detached.js";
import { sweepAbandonedImports } from "./cases/agency-directory.js";
import { SIMULATOR_ACCOUNT_SID, SIMULATOR_AUTH_TOKEN, SIMULATOR_HOTLINE_NUMBER } from "./simulator-credentials.js";

// Re-exported: tests and benches import the simulator's credentials from here.
export { SIMULATOR_ACCOUNT_SID, SIMULATOR_AUTH_TOKEN, SIMULATOR_HOTLINE_NUMBER };

export interface Hotline {
  app: FastifyInstance;
  services: Services;
  /** Resumes timers and routing from the stored state and starts reconciliation with the carrier. */
  start(): Promise<void>;
  /** Resolves when no reconciliation with the carrier is under way. */
  reconciled(): Promise<void>;
  /**
   * Resolves once the server's own background work rests: a reconciliation, the task runner's attempts
   * and its detached work (routing, screen pushes, timers' transactions), which start one another, so all
   * must be idle at once. Tests and the bench wait on it; on PostgreSQL that work spans round trips.
   */
  idle(): Promise<void>;
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

/** PostgreSQL when DATABASE_URL is set (several instances can share it), else the SQLite file DB_FILE. */
async function openStorage(config: Config, log: Logger): Promise<Storage> {
  const onError = (message: string, err?: unknown) => log.error(err === undefined ? {} : { err: loggableError(err) }, message);
  if (!config.DATABASE_URL) return openSqliteStorage(config.DB_FILE, { busyTimeoutMs: config.DB_BUSY_TIMEOUT_MS, checkpointIntervalMs: CHECKPOINT_INTERVAL_MS, onError });
  try {
    return await openPgStorage(config.DATABASE_URL, { onError });
  } catch (err) {
    throw new StartupError(`cannot open the PostgreSQL database at DATABASE_URL: ${loggableError(err)}`);
  }
}

/** Opens the database, loads and checks the flows, and builds the app: everything but listening. */
export async function createHotline(config: Config, opts: { clock?: Clock; log?: Logger } = {}): Promise<Hotline> {
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? createLogger(config.LOG_LEVEL);
  const flows = loadFlows(config.FLOWS_DIR);
  const report = checkFlows(flows);
  if (report.errors.length) {
    throw new StartupError(`voice flows in ${config.FLOWS_DIR} have errors (run npm run flows:check):\n  ${report.errors.join("\n  ")}`);
  }
  const storage = await openStorage(config, log);
  const db = storage.db;
  const callbackPolicy = {
    slaMinutes: { emergency: config.CALLBACK_SLA_EMERGENCY_MINUTES, normal: config.CALLBACK_SLA_NORMAL_MINUTES },
    retryMinutes: config.CALLBACK_RETRY_MINUTES,
    claimMinutes: config.CALLBACK_CLAIM_MINUTES,
  };
  const ctx: Ctx = { storage, db, clock, bus: new EventBus(), callbackPolicy, referralDueHours: config.REFERRAL_DUE_HOURS };
  await seedCapacity(ctx, config.LINES);
  await seedCaseCategories(ctx);
  if (config.ADMIN_TOKEN) await ensureBootstrapAdmin(ctx, config.ADMIN_TOKEN);
  const simulated = config.TELEPHONY === "simulator";
  const authToken = config.TWILIO_AUTH_TOKEN ?? (simulated ? SIMULATOR_AUTH_TOKEN : "");
  const accountSid = config.TWILIO_ACCOUNT_SID ?? SIMULATOR_ACCOUNT_SID;
  const twiml = new TwimlWriter(config.PUBLIC_BASE_URL, connectionOverrides(config));
  const carrier = twilioCarrier({ accountSid, authToken, apiBaseUrl: config.TWILIO_API_BASE_URL, timeoutMs: config.TWILIO_TIMEOUT_MS });
  const tasks = new TaskRunner(clock, log);
  const times = { offerTimeoutSeconds: config.OFFER_TIMEOUT_SECONDS, wrapUpSeconds: config.WRAP_UP_SECONDS };
  const hotlineNumber = config.HOTLINE_NUMBER ?? SIMULATOR_HOTLINE_NUMBER;
  const dispatcher = new Dispatcher(ctx, twilioCallControl(carrier, twiml, hotlineNumber, times), tasks, times, log);
  const approved = await ApprovedIndex.load(db);
  const stopApproved = approved.follow(ctx.bus, log);
  const key = await pseudonymKey(ctx, config.PSEUDONYM_KEY);
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
    pseudonymKey: key,
    draining: new Draining(),
    recordings: { approved, calls: new RecordingCalls(ctx, carrier, twiml, tasks, hotlineNumber, log), script: new SessionScript(flows) },
    figures: async () => {
      const now = clock.now();
      const [backlog, referrals, onDuty] = await Promise.all([backlogFigures(db, now), referralFigures(db, now), agentBoard(db, now)]);
      // Referrals past their deadline are what the ministry's escalation center chases.
      return { ...(await liveFigures(db, now, config.SERVICE_LEVEL_SECONDS, backlog, config.TIMEZONE)), referrals, onDuty };
    },
  };
  const transfers = new TransferControl(ctx, carrier, twiml, tasks, hotlineNumber, log);
  const stopReferrals = recordTransfersAsReferrals(ctx, log);
  const stopTexts = startTexter(ctx, carrier, twiml, services.catalog, tasks, { from: hotlineNumber, allowedTopics: config.SMS_TOPICS, defaultLanguage: flows.flow.defaultLanguage as Language }, log);
  // Instances sharing the database say when they showed the pop of another's offer (none on SQLite).
  const receipts = storage.engine === "postgres" ? new PopReceipts() : undefined;
  const hub = new RealtimeHub(
    ctx,
    services.figures,
    log,
    {
      // Wallboards are seen by many: the pushed list shows numbers masked; the API shows them (audited).
      summary: async () => {
        const now = clock.now();
        const [backlog, urgent] = await Promise.all([backlogFigures(db, now), mostUrgent(ctx, now, 20)]);
        return { at: new Date(now).toISOString(), ...backlog, items: urgent.map((i) => publicItem(i, now, false)) };
      },
      // Callback items and referrals both turn overdue by time alone.
      nextDeadline: async () => {
        const now = clock.now();
        const next = (await Promise.all([nextDeadline(db, now), nextReferralDeadline(db, now)])).filter((t): t is number => t !== undefined);
        return next.length ? Math.min(...next) : undefined;
      },
    },
    { wrapUpSeconds: config.WRAP_UP_SECONDS, receipts },
  );
  // The screen-pop reaches the agent before their phone rings, also when their page is on another instance.
  dispatcher.ringAfterScreens((offer) => hub.offerShown(offer));
  const app = await buildApp(services, hub);
  let reconciliation: Reconciliation | undefined;
  let stopRetention = () => {};
  let stopAuditRetention = () => {};
  let stopListening = () => {};
  let stopSignals = () => {};
  return {
    app,
    services,
    async start() {
      // Events other instances commit reach this one's pages, timers and caches (nothing on one SQLite file).
      stopListening = await storage.listen(
        (event) => ctx.bus.publishRemote(event),
        () => {
          // Others' events were missed: pages reconnect for their full state, timers are armed from the rows.
          log.warn("listening to the other instances resumed after a gap: pages refreshed, timers re-armed");
          services.draining.refreshPages();
          detached(log, "resume routing after a gap", () => dispatcher.resume());
        },
      );
      if (receipts) stopSignals = await storage.listenSignals((signal) => receipts.hear(signal));
      await dispatcher.resume();
      const dropped = await sweepAbandonedImports(ctx);
      if (dropped.length) log.warn({ tables: dropped.length }, "dropped the staging tables of agency imports a dead process left behind");
      reconciliation = scheduleReconciliation(ctx, carrier, log, config.RECONCILE_SECONDS, [hotlineNumber]);
      stopRetention = scheduleRetention(ctx, services.pseudonymKey, config.RETENTION_DAYS, log);
      stopAuditRetention = scheduleAuditRetention(ctx, config.AUDIT_RETENTION_DAYS, log);
    },
    reconciled: () => reconciliation?.idle() ?? Promise.resolve(),
    async idle() {
      for (;;) {
        const before = detachedWork().started;
        await (reconciliation?.idle() ?? Promise.resolve());
        await tasks.idle();
        const busy = detachedWork().running > 0;
        await detachedIdle();
        if (!busy && detachedWork().started === before) return;
      }
    },
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
      stopListening();
      stopSignals();
      hub.close();
      await storage.close();
    },
  };
}
