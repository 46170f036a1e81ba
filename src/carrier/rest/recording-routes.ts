import type { FastifyInstance } from "fastify";
import type { CarrierCore } from "../core.js";
import { rfc2822 } from "../sids.js";
import { notFound } from "./twilio-errors.js";

/** Recordings/{Sid}: the audio (.wav, or no extension, as Twilio serves it) and its metadata (.json). */
export function recordingRoutes(app: FastifyInstance, core: CarrierCore): void {
  app.get<{ Params: { accountSid: string; file: string } }>(`/2010-04-01/Accounts/:accountSid/Recordings/:file`, async (req, reply) => {
    const [sid, ext = "wav"] = req.params.file.split(".");
    const recording = sid ? core.recordings.bySid(sid) : undefined;
    if (!recording || !["wav", "json"].includes(ext)) throw notFound(req.url.split("?")[0] ?? req.url);
    if (ext === "wav") return reply.type("audio/x-wav").send(recording.wav);
    return {
      sid: recording.sid,
      account_sid: core.config.accountSid,
      call_sid: recording.callSid,
      duration: String(recording.durationSeconds),
      channels: 1,
      status: "completed",
      date_created: rfc2822(recording.dateCreated),
      uri: `/2010-04-01/Accounts/${core.config.accountSid}/Recordings/${recording.sid}.json`,
    };
  });
}
