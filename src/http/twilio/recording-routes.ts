import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { Language } from "../../languages.js";
import { callEnded, keepTake, sessionById, takeRecorded, takeStarted, type SessionRow } from "../../recordings/recording-sessions.js";
import type { Services } from "../../services.js";
import { gatherWebhookSchema, statusWebhookSchema, voiceWebhookSchema } from "../../telephony/webhook-schemas.js";
import type { ZodTypeProvider } from "fastify-type-provider-zod";

const sessionQuery = z.object({ session: z.coerce.number().int().positive(), attempt: z.coerce.number().int().min(0).max(5).default(0) });

/** Twilio's <Record> action: where the take is, how long, which key ended it. */
const recordedSchema = voiceWebhookSchema.extend({
  RecordingUrl: z.url({ protocol: /^https?$/ }).max(2048),
  RecordingSid: z.string().regex(/^RE[0-9a-fA-F]{32}$/, "RecordingSid must be RE followed by 32 hex digits"),
  RecordingDuration: z.coerce.number().int().min(0).max(3600).default(0),
});

/** Seconds of silence that end a take, and that the listen-back waits for a key. */
const SILENCE_SECONDS = 5;
const REVIEW_SECONDS = 8;
/** Listen-backs without a key before the call ends with nothing kept. */
const REVIEW_TRIES = 2;

/**
 * A supervisor recording a prompt on their own phone (src/recordings/recording-sessions.ts): the take,
 * listening back, 1 keeps it as a draft, 2 records again. A repeated or stale webhook answers with where
 * the session is now.
 */
export function recordingRoutes(base: FastifyInstance, s: Services): void {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const { script } = s.recordings;
  const take = (session: SessionRow) =>
    s.twiml.record(
      script.beforeTake(session.prompt, session.language as Language),
      { action: s.twiml.url("/twilio/recording/take", { session: session.id }), maxLength: s.config.RECORDING_MAX_SECONDS, timeout: SILENCE_SECONDS },
      script.line("nothing"),
    );
  const review = (session: SessionRow, attempt: number) =>
    s.twiml.listenBack(session.takeUrl ?? "", script.line("review"), s.twiml.url("/twilio/recording/review", { session: session.id, attempt }), REVIEW_SECONDS);
  /** Where a session is now, for a webhook that changed nothing. */
  const current = (session: SessionRow | undefined) => {
    if (session?.status === "recording") return take(session);
    if (session?.status === "reviewing" && session.takeUrl) return review(session, 0);
    return s.twiml.goodbye(script.line(session?.status === "keeping" || session?.status === "kept" ? "kept" : "dropped"));
  };

  app.post("/twilio/recording/answer", { schema: { querystring: sessionQuery, body: voiceWebhookSchema } }, async (request, reply) => {
    const { session: id } = request.query;
    reply.type("text/xml");
    return current(await takeStarted(s.ctx, id));
  });

  app.post("/twilio/recording/take", { schema: { querystring: sessionQuery, body: recordedSchema } }, async (request, reply) => {
    const { session: id } = request.query;
    const body = request.body;
    reply.type("text/xml");
    const session = await takeRecorded(s.ctx, id, { url: body.RecordingUrl, sid: body.RecordingSid, seconds: body.RecordingDuration });
    s.log.child({ callSid: body.CallSid }).info({ sessionId: id, seconds: body.RecordingDuration }, "prompt take recorded");
    return current(session);
  });

  app.post("/twilio/recording/review", { schema: { querystring: sessionQuery, body: gatherWebhookSchema } }, async (request, reply) => {
    const { session: id, attempt } = request.query;
    const body = request.body;
    reply.type("text/xml");
    const session = await sessionById(s.ctx.db, id);
    if (session?.status !== "reviewing" || !session.takeUrl) return current(session);
    if (body.Digits === "1") {
      const kept = await keepTake(s.ctx, id);
      if (kept?.status === "keeping") s.recordings.calls.fetchTake(id, session.takeUrl);
      return current(kept);
    }
    if (body.Digits === "2") return current(await takeStarted(s.ctx, id));
    if (attempt + 1 < REVIEW_TRIES) return review(session, attempt + 1);
    return s.twiml.goodbye(script.line("dropped"));
  });

  app.post("/twilio/recording/status", { schema: { querystring: sessionQuery, body: statusWebhookSchema } }, async (request, reply) => {
    const { session: id } = request.query;
    const body = request.body;
    reply.type("text/xml");
    if (["completed", "busy", "failed", "no-answer", "canceled"].includes(body.CallStatus)) await callEnded(s.ctx, id, body.CallStatus);
    return s.twiml.empty();
  });
}
