import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { languageSchema } from "../../languages.js";
import { AudioProblem, MAX_SECONDS, normaliseAudio } from "../../recordings/audio-normaliser.js";
import { approveRecording, rejectRecording, RecordingError, saveDraft } from "../../recordings/prompt-recordings.js";
import { recordingCoverage } from "../../recordings/recording-coverage.js";
import { sessionById, startSession, type SessionRow } from "../../recordings/recording-sessions.js";
import { listRecordings, recordingAudio, recordingInfo } from "../../recordings/recording-store.js";
import type { Services } from "../../services.js";
import { requireRole } from "../auth.js";
import { badRequest, HttpError, notFound } from "../errors.js";
import type { ZodTypeProvider } from "fastify-type-provider-zod";

/** An upload's body: a WAV at 48 kHz, 24-bit, 60 s, mono is 8.6 MB; anything larger is no prompt. */
const UPLOAD_LIMIT_BYTES = 12 * 1024 * 1024;
const AUDIO_TYPES = ["audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave", "audio/mpeg", "audio/mp3", "application/octet-stream"];

const idParams = z.object({ id: z.coerce.number().int().positive() });
const target = z.object({ prompt: z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, "a prompt id such as welcome"), language: languageSchema });
const sessionBody = target.extend({ phone: z.string().regex(/^\+[1-9]\d{6,14}$/, "an E.164 number like +66812345678: the phone to call") });

function asHttp(err: unknown): never {
  if (err instanceof RecordingError) throw new HttpError(({ invalid: 400, not_found: 404, conflict: 409 } as const)[err.code], err.code === "invalid" ? "bad_request" : err.code, err.message);
  if (err instanceof AudioProblem) throw new HttpError(400, err.code, err.message);
  throw err;
}

const publicSession = (row: SessionRow) => ({
  id: row.id,
  prompt: row.prompt,
  language: row.language,
  status: row.status,
  takes: row.takes,
  recordingId: row.recordingId,
  createdAt: row.createdAt,
  endedAt: row.endedAt,
});

/**
 * Prompts recorded by the hotline's staff: uploads, calls to a supervisor's phone, approval, and coverage.
 * Registered in a scope of its own: its audio body parser and larger body limit apply here only.
 */
export function recordingApiRoutes(base: FastifyInstance, s: Services): void {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const supervisor = { onRequest: requireRole(s, "supervisor") };
  /** A prompt the flow or the server plays: recording anything else would be heard by nobody. */
  const knownPrompt = (prompt: string) => {
    if (!s.catalog.promptIds().includes(prompt)) throw badRequest(`prompt: "${prompt}" is not a prompt of the voice flows`);
  };

  app.addContentTypeParser(AUDIO_TYPES, { parseAs: "buffer", bodyLimit: UPLOAD_LIMIT_BYTES }, (_request, body, done) => done(null, body));

  app.get("/api/recordings", supervisor, async () => ({ recordings: await listRecordings(s.ctx.db) }));

  app.get("/api/recordings/coverage", supervisor, async () => await recordingCoverage(s.ctx.db, s.catalog));

  /** An upload (raw body, query prompt and language): checked, normalised to 8 kHz mono WAV, kept as a draft. */
  app.post("/api/recordings", { ...supervisor, bodyLimit: UPLOAD_LIMIT_BYTES, schema: { querystring: target } }, async (request, reply) => {
    const { prompt, language } = request.query;
    knownPrompt(prompt);
    if (!Buffer.isBuffer(request.body) || request.body.length === 0) {
      throw badRequest(`send the audio file as the request body (content-type audio/wav or audio/mpeg), at most ${MAX_SECONDS} s, mono`);
    }
    const audio = await normaliseAudio(request.body).catch(asHttp);
    const draft = await saveDraft(s.ctx, { prompt, language, audio, source: "upload", recordedBy: request.user!.id });
    s.log.info({ recordingId: draft.id, prompt, language, by: request.user!.id }, "prompt recording uploaded as a draft");
    return reply.status(201).send(draft);
  });

  /** Listening to a draft before approving it: staff only, unlike /audio/recorded/ which serves approved ones. */
  app.get("/api/recordings/:id/audio", { ...supervisor, schema: { params: idParams } }, async (request, reply) => {
    const { id } = request.params;
    const found = await recordingAudio(s.ctx.db, id, ["draft", "approved", "rejected", "replaced"]);
    if (!found) throw notFound("recording");
    return reply.type("audio/wav").send(found.audio);
  });

  for (const [verb, decide] of [["approve", approveRecording], ["reject", rejectRecording]] as const) {
    app.post(`/api/recordings/:id/${verb}`, { ...supervisor, schema: { params: idParams } }, async (request) => {
      const { id } = request.params;
      try {
        const decided = await decide(s.ctx, id, request.user!.id);
        s.log.info({ recordingId: id, prompt: decided.prompt, language: decided.language, status: decided.status, by: request.user!.id }, "prompt recording decided");
        return decided;
      } catch (err) {
        return asHttp(err);
      }
    });
  }

  /** The server calls the supervisor's phone to record a prompt (rather than a PIN on the hotline number: see README). */
  app.post("/api/recordings/sessions", { ...supervisor, schema: { body: sessionBody } }, async (request, reply) => {
    const body = request.body;
    knownPrompt(body.prompt);
    const session = await startSession(s.ctx, { ...body, requestedBy: request.user!.id });
    s.recordings.calls.call(session);
    return reply.status(201).send(publicSession(session));
  });

  app.get("/api/recordings/sessions/:id", { ...supervisor, schema: { params: idParams } }, async (request) => {
    const { id } = request.params;
    const session = await sessionById(s.ctx.db, id);
    if (!session) throw notFound("recording session");
    return { ...publicSession(session), recording: session.recordingId ? await recordingInfo(s.ctx.db, session.recordingId) : null };
  });
}
