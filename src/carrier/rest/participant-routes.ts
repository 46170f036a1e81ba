import { z } from "zod";
import twilio from "twilio";
import type { FastifyInstance } from "fastify";
import type { CarrierCore } from "../core.js";
import type { ConferenceRoom } from "../conference/conference-room.js";
import type { Participant } from "../conference/participant.js";
import { pageJson, participantJson, participantView } from "./json-shapes.js";
import { formBool, formInt, formList, formMethod, formString, formUrl, parseForm } from "./form.js";
import { subscriptionFrom } from "./call-sources.js";
import { notFound, RestError } from "./twilio-errors.js";

const updateBody = z.looseObject({
  Muted: formBool.optional(),
  Hold: formBool.optional(),
  HoldUrl: formUrl.optional(),
  HoldMethod: formMethod.optional(),
  AnnounceUrl: formUrl.optional(),
  AnnounceMethod: formMethod.optional(),
  EndConferenceOnExit: formBool.optional(),
  Coaching: formBool.optional(),
  CallSidToCoach: formString.optional(),
});

const createBody = z.looseObject({
  From: formString.optional(),
  To: formString.optional(),
  Label: formString.optional(),
  Timeout: formInt.pipe(z.number().min(5).max(600)).optional(),
  StatusCallback: formUrl.optional(),
  StatusCallbackEvent: formList.optional(),
  StatusCallbackMethod: formMethod.optional(),
  Muted: formBool.optional(),
  Beep: formString.pipe(z.enum(["true", "false", "onEnter", "onExit"])).optional(),
  StartConferenceOnEnter: formBool.optional(),
  EndConferenceOnExit: formBool.optional(),
  WaitUrl: formString.optional(),
  WaitMethod: formMethod.optional(),
  ConferenceStatusCallback: formUrl.optional(),
  ConferenceStatusCallbackEvent: formList.optional(),
  ConferenceStatusCallbackMethod: formMethod.optional(),
  Coaching: formBool.optional(),
  CallSidToCoach: formString.optional(),
});

/**
 * Twilio's rules for coaching: Coaching defaults to false unless CallSidToCoach is given, and Coaching=true
 * needs CallSidToCoach (or, on an update, a coached call already set). The coached call must be in the room.
 * The error code is a guess: Twilio documents the rule, not the code.
 */
function coachTarget(room: ConferenceRoom | undefined, b: { Coaching?: boolean; CallSidToCoach?: string }, current?: Participant): string | undefined {
  const coaching = b.Coaching ?? (b.CallSidToCoach !== undefined ? true : current?.coaching ?? false);
  if (!coaching) return undefined;
  const target = b.CallSidToCoach ?? current?.callSidToCoach;
  if (!target) throw new RestError(400, 21220, "CallSidToCoach is required when Coaching is true");
  if (target === current?.call.sid || !room?.participants.has(target)) throw new RestError(400, 21220, `CallSidToCoach ${target} is not a participant of this conference`);
  return target;
}

type ConfParams = { accountSid: string; conference: string };
type OneParams = ConfParams & { file: string };

/** Conferences/{Sid}/Participants: list, fetch, update (hold, mute, announce), kick, and dial in a new party. */
export function participantRoutes(app: FastifyInstance, core: CarrierCore): void {
  const { config, conferences } = core;
  const base = `/2010-04-01/Accounts/:accountSid/Conferences/:conference/Participants`;
  const room = (p: ConfParams, url: string): ConferenceRoom => {
    const found = conferences.bySid(p.conference);
    if (!found) throw notFound(url.split("?")[0] ?? url);
    return found;
  };
  const one = (p: OneParams, url: string): { room: ConferenceRoom; participant: Participant } => {
    const r = room(p, url);
    const ref = p.file.endsWith(".json") ? p.file.slice(0, -5) : "";
    // Twilio accepts the participant's call SID or its label.
    const participant = r.participants.get(ref) ?? [...r.participants.values()].find((x) => x.options.label === ref);
    if (!participant) throw notFound(url.split("?")[0] ?? url);
    return { room: r, participant };
  };
  const json = (r: ConferenceRoom, p: Participant) => participantJson(participantView(p, r), config.accountSid);

  app.get<{ Params: ConfParams }>(`${base}.json`, async (req) => {
    const r = room(req.params, req.url);
    return pageJson("participants", [...r.participants.values()], req.url.split("?")[0] ?? "", req.query as Record<string, string>, (p) => json(r, p));
  });

  app.get<{ Params: OneParams }>(`${base}/:file`, async (req) => {
    const { room: r, participant } = one(req.params, req.url);
    return json(r, participant);
  });

  app.post<{ Params: OneParams }>(`${base}/:file`, async (req) => {
    const { room: r, participant } = one(req.params, req.url);
    const b = parseForm(updateBody, req.body);
    const coach = b.Coaching === undefined && b.CallSidToCoach === undefined ? {} : { coaching: coachTarget(r, b, participant) !== undefined, callSidToCoach: coachTarget(r, b, participant) };
    r.update(participant.call.sid, {
      ...coach,
      muted: b.Muted, hold: b.Hold, holdUrl: b.HoldUrl, holdMethod: b.HoldMethod,
      announceUrl: b.AnnounceUrl, announceMethod: b.AnnounceMethod, endConferenceOnExit: b.EndConferenceOnExit,
    });
    return json(r, participant);
  });

  app.delete<{ Params: OneParams }>(`${base}/:file`, async (req, reply) => {
    const { room: r, participant } = one(req.params, req.url);
    r.leave(participant.call.sid, "kicked");
    return reply.code(204).send();
  });

  /** Dials a new party into the conference; the path may name the conference instead of its SID. */
  app.post<{ Params: ConfParams }>(`${base}.json`, async (req, reply) => {
    const b = parseForm(createBody, req.body);
    if (!b.To) throw new RestError(400, 21201, "No 'To' number is specified");
    if (!b.From) throw new RestError(400, 21213, "No 'From' number is specified");
    const ref = req.params.conference;
    const existing = conferences.bySidOrName(ref);
    if (!existing && /^CF[0-9a-f]{32}$/i.test(ref)) throw notFound(req.url);
    // Dialling a party into a named conference creates it, so the answer can carry its SID.
    const coach = coachTarget(existing, b);
    const target = existing ?? conferences.ensure(ref);
    const xml = conferenceTwiml(target.friendlyName, b, coach);
    const call = core.lifecycle.dialOut({
      to: b.To,
      from: b.From,
      direction: "outbound-api",
      timeoutSec: b.Timeout ?? 60,
      statusCallback: subscriptionFrom(b),
      onAnswered: (leg) => core.lifecycle.redirect(leg, { kind: "twiml", xml }),
    });
    // A party that never answers leaves no empty conference behind.
    const off = call.onChange(() => {
      if (!call.ended) return;
      off();
      if (call.answeredAt === undefined && target.status === "init" && target.participants.size === 0) target.end("last-participant-left");
    });
    const now = core.clock.now();
    return reply.code(201).send(
      participantJson(
        {
          callSid: call.sid, conferenceSid: target.sid, label: b.Label, muted: b.Muted ?? false, hold: false, coaching: coach !== undefined, callSidToCoach: coach,
          startConferenceOnEnter: b.StartConferenceOnEnter ?? true, endConferenceOnExit: b.EndConferenceOnExit ?? false,
          status: "queued", created: now, updated: now,
        },
        config.accountSid,
      ),
    );
  });
}

/** A REST-added participant runs the same TwiML a <Dial><Conference> would, so both behave alike. */
function conferenceTwiml(name: string, b: z.infer<typeof createBody>, coach: string | undefined): string {
  const response = new twilio.twiml.VoiceResponse();
  const attrs: Record<string, unknown> = {
    muted: b.Muted, beep: b.Beep, startConferenceOnEnter: b.StartConferenceOnEnter, endConferenceOnExit: b.EndConferenceOnExit,
    waitUrl: b.WaitUrl, waitMethod: b.WaitMethod, participantLabel: b.Label, coach,
    statusCallback: b.ConferenceStatusCallback, statusCallbackMethod: b.ConferenceStatusCallbackMethod,
    statusCallbackEvent: b.ConferenceStatusCallbackEvent?.join(" "),
  };
  const defined = Object.fromEntries(Object.entries(attrs).filter(([, v]) => v !== undefined));
  response.dial().conference(defined as Parameters<ReturnType<typeof response.dial>["conference"]>[0], name);
  return response.toString();
}
