import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import formbody from "@fastify/formbody";
import type { CarrierCore } from "../core.js";
import { callsRoutes } from "./calls-routes.js";
import { conferenceRoutes } from "./conference-routes.js";
import { participantRoutes } from "./participant-routes.js";
import { numberRoutes } from "./number-routes.js";
import { messageRoutes } from "./message-routes.js";
import { recordingRoutes } from "./recording-routes.js";
import { RestError, errorForStatus, notFound, unauthorized } from "./twilio-errors.js";
import type { RestFaults } from "./rest-faults.js";

const API_PREFIX = "/2010-04-01/";

/**
 * The carrier's HTTP origin: Twilio's REST API (Basic auth as AccountSid:AuthToken, form bodies,
 * Twilio's JSON and error shapes) plus whatever `extra` adds (the web phone and its /sim API).
 */
export function buildCarrierServer(core: CarrierCore, faults: RestFaults, extra: (app: FastifyInstance) => void): { app: FastifyInstance; releaseHung: () => void } {
  const app = Fastify({ logger: false });
  const inflight = new WeakMap<FastifyRequest, () => void>();
  const hung = new Set<FastifyReply>();
  app.register(formbody);

  app.addHook("onRequest", async (req, reply) => {
    const end = core.tracker.begin();
    inflight.set(req, end);
    if (!req.url.startsWith(API_PREFIX)) return;
    if (!authorized(req, core.config.accountSid, core.config.authToken)) throw unauthorized();
    const accountSid = req.url.slice(API_PREFIX.length).split("/")[1];
    if (accountSid !== core.config.accountSid) throw notFound(req.url.split("?")[0] ?? req.url);
    const fault = faults.take(req.url);
    if (fault?.hang) {
      // A hung request waits on nobody the carrier can see: it must not hold idle() back.
      end();
      hung.add(reply);
      return reply.hijack();
    }
    if (fault) throw errorForStatus(fault.status);
  });
  const finish = async (req: FastifyRequest) => inflight.get(req)?.();
  app.addHook("onResponse", finish);
  app.addHook("onRequestAbort", finish);

  app.setErrorHandler((err, req, reply) => {
    if (err instanceof RestError) return reply.code(err.status).send(err.toJSON());
    const status = (err as { statusCode?: number }).statusCode;
    const message = err instanceof Error ? err.message : String(err);
    if (status && status < 500) return reply.code(status).send(new RestError(status, 20001, message).toJSON());
    core.logger.error({ err, url: req.url }, "carrier REST handler failed");
    return reply.code(500).send(errorForStatus(500).toJSON());
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send(notFound(req.url.split("?")[0] ?? req.url).toJSON()));

  callsRoutes(app, core);
  conferenceRoutes(app, core);
  participantRoutes(app, core);
  numberRoutes(app, core);
  messageRoutes(app, core);
  recordingRoutes(app, core);
  extra(app);

  const releaseHung = () => {
    for (const reply of hung) reply.raw.destroy();
    hung.clear();
  };
  return { app, releaseHung };
}

function authorized(req: FastifyRequest, accountSid: string, authToken: string): boolean {
  const header = req.headers.authorization ?? "";
  if (!header.startsWith("Basic ")) return false;
  const [user, ...rest] = Buffer.from(header.slice(6), "base64").toString("utf8").split(":");
  return user === accountSid && rest.join(":") === authToken;
}
