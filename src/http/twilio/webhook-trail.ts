import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { LogEvent } from "../../../db/storage.js";
import { inOneStatement } from "../../events/event-log.js";
import { HttpError } from "../errors.js";
import type { Services } from "../../services.js";
import { utterances } from "./render-step.js";
import { inThaiAndEnglish } from "../../ivr/prompt-catalog.js";
import { detached } from "../../detached.js";

declare module "fastify" {
  interface FastifyRequest {
    /** Set once the Twilio signature checked out: only then is the request worth a record. */
    twilioCallSid?: string;
    /** Set when the webhook failed and Twilio got the apology TwiML instead: counted by /metrics. */
    apologised?: boolean;
  }
}

const TRAIL_RETRY_MS = 1000;

/** Every signed webhook is part of the call's trail (what Twilio asked, what we answered). */
export function recordWebhooks(app: FastifyInstance, s: Services): void {
  app.addHook("preHandler", (request, _reply, done) => {
    const sid = (request.body as Record<string, unknown> | undefined)?.CallSid;
    // The request's log line carries the call SID, never the caller's number.
    if (typeof sid === "string" && sid.length <= 64) request.twilioCallSid = sid;
    done();
  });
  // The trail is written in batches, one per turn of the event loop, and the batch joins the webhooks'
  // group commit (Storage's TransactionOptions.group) instead of committing on its own: under a burst of
  // webhooks a commit per request, or even per batch, cost more than the requests themselves. A batch is
  // one statement (Storage.appendToLog: for the log alone, no other instance is told) that needs no
  // writers' lock (inOneStatement: on PostgreSQL one round trip, not three). One batch is written at a
  // time, in order: `writing` is the latest, which close waits for.
  let pending: LogEvent[] = [];
  let writing: Promise<void> = Promise.resolve();
  const write = async (): Promise<void> => {
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    try {
      await inOneStatement(s.webhookCtx, async (db) => s.ctx.storage.appendToLog(db, batch));
      // In a group the batch is only written once the group commits: a failed commit keeps it for the retry.
      await s.ctx.storage.durable();
    } catch (err) {
      // A database held by another writer past its wait must not bring the hotline down: the batch
      // is kept and written a second later, together with what came in meanwhile (after it).
      app.log.error({ err, webhooks: batch.length }, "webhook trail not written yet; will retry");
      pending = [...batch, ...pending];
      setTimeout(() => detached(s.log, "retry the webhook trail", flush), TRAIL_RETRY_MS).unref();
    }
  };
  const flush = (): Promise<void> => (writing = writing.then(write));
  app.addHook("onResponse", (request: FastifyRequest, reply: FastifyReply, done) => {
    done();
    if (!request.twilioCallSid || reply.statusCode === 403) return;
    const body = request.body as Record<string, unknown>;
    const [path, query = ""] = request.url.split("?");
    if (pending.length === 0) setImmediate(() => detached(s.log, "write the webhook trail", flush));
    pending.push({ at: s.ctx.clock.now(), type: "webhook", callSid: request.twilioCallSid, data: { path, query, status: reply.statusCode, callStatus: body.CallStatus } });
  });
  app.addHook("onClose", async () => {
    await (pending.length ? flush() : writing);
  });
}

/**
 * Twilio must always get TwiML it can follow: a failure inside a handler gives the caller an apology
 * and brings them back to where they were, instead of Twilio's own "application error" and a hang-up.
 */
export function safeTwimlOnError(app: FastifyInstance, s: Services): void {
  app.setErrorHandler((err: Error, request, reply) => {
    if (err instanceof HttpError) return reply.status(err.status).send({ error: err.code, message: err.message });
    const status = (err as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) return reply.status(status).send({ error: "bad_request", message: err.message });
    request.log.error({ err, callSid: request.twilioCallSid }, "webhook failed; the caller hears an apology and is taken back");
    request.apologised = true;
    const sid = request.twilioCallSid ?? "";
    const apology = utterances(s, { sid, language: null }, inThaiAndEnglish("technical-problem"));
    return reply.status(200).type("text/xml").send(s.twiml.sayThenRedirect(apology, s.twiml.url("/twilio/resume"), 2));
  });
}
