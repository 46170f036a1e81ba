import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import fastifyStatic from "@fastify/static";
import { resolve } from "node:path";
import type { Services } from "./services.js";
import { installErrorHandler, zodValidatorCompiler } from "./http/errors.js";
import { apiDocs } from "./http/api-docs.js";
import { metricsPlugin } from "./http/metrics.js";
import { AccessLog } from "./http/access-log.js";
import { lazyRequestLogger } from "./http/request-logger.js";
import { twilioRoutes } from "./http/twilio/index.js";
import { healthRoutes } from "./http/api/health-routes.js";
import { callRoutes } from "./http/api/call-routes.js";
import { agentRoutes } from "./http/api/agent-routes.js";
import { statsRoutes } from "./http/api/stats-routes.js";
import { wsRoute } from "./http/ws-route.js";
import { callbackRoutes } from "./http/api/callback-routes.js";
import { transferRoutes } from "./http/api/transfer-routes.js";
import type { RealtimeHub } from "./realtime/hub.js";
import { pageRoutes } from "./http/page-routes.js";
import { voiceTokenRoutes } from "./http/api/voice-token-routes.js";
import { caseRoutes } from "./http/api/case-routes.js";
import { agencyRoutes } from "./http/api/agency-routes.js";
import { referralRoutes } from "./http/api/referral-routes.js";
import { privacyRoutes } from "./http/api/privacy-routes.js";
import { userRoutes } from "./http/api/user-routes.js";
import { auditRoutes } from "./http/api/audit-routes.js";
import { reportRoutes } from "./http/api/report-routes.js";
import { promptTextRoutes } from "./http/prompt-text-routes.js";
import { liveCallRoutes } from "./http/api/live-call-routes.js";
import { recordingApiRoutes } from "./http/api/recording-routes.js";
import { audioRoutes } from "./http/audio-routes.js";

/** The hotline as a Fastify app; src/server.ts starts it, tests build it with their own services. */
export async function buildApp(s: Services, hub: RealtimeHub): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: s.log as FastifyBaseLogger,
    bodyLimit: 256 * 1024,
    logController: new AccessLog(s.log),
    childLoggerFactory: lazyRequestLogger,
    // Slow senders cannot hold sockets: a request must arrive whole in time, an idle connection is
    // closed. Node checks request deadlines on an interval (30 s by default): every second here; and
    // it enforces none unless the headers' deadline is no later than the request's (its default is 60 s).
    requestTimeout: s.config.HTTP_REQUEST_TIMEOUT_MS,
    connectionTimeout: s.config.HTTP_CONNECTION_TIMEOUT_MS,
    keepAliveTimeout: s.config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    http: { connectionsCheckingInterval: 1_000, headersTimeout: s.config.HTTP_REQUEST_TIMEOUT_MS },
  });
  installErrorHandler(app);
  // Routes declare zod schemas; a mismatch is a 400 with the reason.
  app.setValidatorCompiler(zodValidatorCompiler);
  // Both watch routes being added, so they come first.
  await apiDocs(app);
  await metricsPlugin(app, s, hub);
  // No answer leaves before the writes it reports are committed (where the engine groups commits: Storage.durable).
  app.addHook("onSend", (_request, _reply, payload, done) => {
    const committed = s.ctx.storage.durable();
    if (!committed) return done(null, payload);
    committed.then(
      () => done(null, payload),
      (err: Error) => done(err),
    );
  });
  // API answers can hold callers' numbers and notes: no browser or proxy may keep a copy (errors included).
  app.addHook("onRequest", (request, reply, done) => {
    if (request.url.startsWith("/api/")) reply.header("cache-control", "no-store");
    done();
  });
  // Recordings are fetched by Twilio for <Play>: public, like any hold music.
  await app.register(fastifyStatic, { root: resolve(s.flows.dir, "audio"), prefix: "/audio/", decorateReply: false });
  audioRoutes(app, s);
  await app.register(async (scope) => twilioRoutes(scope, s));
  // Its own scope: the audio upload's body parser and limit stay there.
  await app.register(async (scope) => recordingApiRoutes(scope, s));
  await app.register(async (scope) => wsRoute(scope, s, hub));
  await app.register(async (scope) => {
    healthRoutes(scope, s);
    callRoutes(scope, s);
    agentRoutes(scope, s);
    userRoutes(scope, s);
    auditRoutes(scope, s);
    statsRoutes(scope, s);
    callbackRoutes(scope, s);
    caseRoutes(scope, s);
    agencyRoutes(scope, s);
    referralRoutes(scope, s);
    privacyRoutes(scope, s);
    reportRoutes(scope, s);
    transferRoutes(scope, s);
    liveCallRoutes(scope, s);
    pageRoutes(scope, s);
    voiceTokenRoutes(scope, s);
    promptTextRoutes(scope, s);
  });
  return app;
}
