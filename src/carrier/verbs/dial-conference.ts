import { z } from "zod";
import { waitUntil } from "../abortable.js";
import { eventList, readAttrs, resolveUrl, twimlBool, twimlMethod } from "../twiml/attributes.js";
import type { TwimlNode } from "../twiml/parse-twiml.js";
import type { ConferenceCallbackConfig } from "../conference/participant.js";
import type { DialAttrs } from "./dial.js";
import type { VerbContext, VerbResult } from "./verb-context.js";

/** Twilio's <Conference> defaults; a statusCallback without events hears start and end. */
const conferenceAttrs = z.looseObject({
  muted: twimlBool.default(false),
  beep: z.enum(["true", "false", "onEnter", "onExit"]).default("true"),
  startConferenceOnEnter: twimlBool.default(true),
  endConferenceOnExit: twimlBool.default(false),
  waitUrl: z.string().optional(),
  waitMethod: twimlMethod.default("POST"),
  statusCallback: z.string().optional(),
  statusCallbackEvent: eventList.default(["start", "end"]),
  statusCallbackMethod: twimlMethod.default("POST"),
  participantLabel: z.string().optional(),
  coach: z.string().optional(),
});

/**
 * <Dial><Conference>: the leg stays in the room until it hangs up, is redirected (REST), is kicked, or
 * the conference ends; then the Dial's action is requested (DialCallStatus "answered" for conferences)
 * or the document goes on with the next verb.
 */
export async function dialConference(dial: DialAttrs, noun: TwimlNode, ctx: VerbContext): Promise<VerbResult> {
  const a = readAttrs(noun, conferenceAttrs);
  const { call, core, docUrl } = ctx;
  const callback: ConferenceCallbackConfig | undefined = a.statusCallback
    ? { url: resolveUrl(a.statusCallback, docUrl), method: a.statusCallbackMethod, events: new Set(a.statusCallbackEvent) }
    : undefined;
  const waitUrl = a.waitUrl === undefined || a.waitUrl === "" ? a.waitUrl : resolveUrl(a.waitUrl, docUrl);
  call.conference = noun.text;
  call.setState("conference");
  const { room, participant } = core.conferences.join(
    noun.text,
    call,
    { muted: a.muted, beep: a.beep, startConferenceOnEnter: a.startConferenceOnEnter, endConferenceOnExit: a.endConferenceOnExit, waitUrl, waitMethod: a.waitMethod, label: a.participantLabel, coach: a.coach || undefined },
    callback,
  );
  try {
    await waitUntil<void>(ctx.signal, (done) => participant.onLeft(done));
  } catch (err) {
    // Hung up or redirected while in the room: leave it (the room tells the others).
    room.leave(call.sid, "left");
    throw err;
  } finally {
    call.conference = undefined;
    call.changed();
  }
  if (!dial.action) return "next";
  return { kind: "url", url: resolveUrl(dial.action, docUrl), method: dial.method, params: { DialCallStatus: "answered" } };
}
