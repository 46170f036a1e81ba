import { z } from "zod";
import { toneWav } from "../../recordings/wav-audio.js";
import { waitUntil } from "../abortable.js";
import { readAttrs, resolveUrl, seconds, twimlBool, twimlMethod } from "../twiml/attributes.js";
import { TwimlError } from "../twiml/parse-twiml.js";
import type { VerbHandler } from "./verb-context.js";

/** Twilio's defaults: action = this document, POST, 5 s of silence, at most 3600 s, any key finishes, a beep, silence trimmed. */
const recordAttrs = z.looseObject({
  action: z.string().optional(),
  method: twimlMethod.default("POST"),
  timeout: seconds.default(5),
  maxLength: z.coerce.number().int().min(1).max(14_400).default(3600),
  finishOnKey: z.string().regex(/^[0-9#*]*$/, "keys 0-9, # and *").default("1234567890*#"),
  playBeep: twimlBool.default(true),
  trim: z.enum(["trim-silence", "do-not-trim"]).default("trim-silence"),
});

/**
 * <Record>: the person on the leg speaks from the beep until they press a finishing key or maxLength
 * passes on the clock. The simulated person is never silent, so `timeout` never ends a take, and what they
 * "say" is a tone as long as they spoke (8 kHz mono WAV, nothing to trim). The take is stored with the
 * carrier's recordings and the action gets RecordingUrl, RecordingSid, RecordingDuration and Digits. A take
 * of no time is empty: Twilio then requests no action and goes on with the next verb.
 */
export const recordVerb: VerbHandler = async (node, ctx) => {
  const a = readAttrs(node, recordAttrs);
  const { call, core } = ctx;
  const action = a.action !== undefined ? resolveUrl(a.action, ctx.docUrl) : ctx.docUrl;
  if (!action) throw new TwimlError(11100, "Invalid URL: <Record> has no action and the document has no URL");
  if (a.playBeep) call.hear({ verb: "beep", at: core.clock.now() });
  const started = core.clock.now();
  call.setState("record");
  const finishedBy = await waitUntil<string>(ctx.signal, (done) => {
    call.keySink = (key) => {
      if (a.finishOnKey.includes(key)) done(key);
    };
    const cancel = core.clock.setTimer(a.maxLength * 1000, () => done(""));
    return () => {
      call.keySink = null;
      cancel();
    };
  });
  const durationSeconds = Math.round((core.clock.now() - started) / 1000);
  if (durationSeconds === 0) return "next";
  const recording = core.recordings.add({ callSid: call.sid, wav: toneWav(durationSeconds), durationSeconds });
  return {
    kind: "url",
    url: action,
    method: a.method,
    params: { RecordingUrl: core.recordings.url(recording.sid), RecordingSid: recording.sid, RecordingDuration: String(durationSeconds), Digits: finishedBy || "" },
  };
};
