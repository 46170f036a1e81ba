import { z } from "zod";
import type { FastifyInstance } from "fastify";
import type { CarrierCore } from "../core.js";
import type { SimCall } from "../sim-call.js";
import { callJson, pageJson } from "./json-shapes.js";
import { formInt, formList, formMethod, formString, formUrl, parseForm } from "./form.js";
import { sourceFrom, subscriptionFrom } from "./call-sources.js";
import { notFound, RestError } from "./twilio-errors.js";
import type { DocumentSource } from "../call-session.js";
import type { AnswerMode } from "../endpoints.js";
import { dateFilter } from "./date-filter.js";

const createBody = z.looseObject({
  To: formString.optional(),
  From: formString.optional(),
  Url: formUrl.optional(),
  Method: formMethod.optional(),
  Twiml: formString.optional(),
  StatusCallback: formUrl.optional(),
  StatusCallbackEvent: formList.optional(),
  StatusCallbackMethod: formMethod.optional(),
  /** Twilio rings 60 s by default, at most 600. */
  Timeout: formInt.pipe(z.number().min(1).max(600)).optional(),
  MachineDetection: formString.pipe(z.enum(["Enable", "DetectMessageEnd"])).optional(),
});

const updateBody = z.looseObject({
  Url: formUrl.optional(),
  Method: formMethod.optional(),
  Twiml: formString.optional(),
  Status: formString.pipe(z.enum(["canceled", "completed"])).optional(),
  StatusCallback: formUrl.optional(),
  StatusCallbackMethod: formMethod.optional(),
});

const listQuery = z.looseObject({ To: z.string().optional(), From: z.string().optional(), Status: z.string().optional(), ParentCallSid: z.string().optional() });

type Params = { accountSid: string; file: string };

/**
 * Answering-machine detection: Twilio adds AnsweredBy to the answer webhook. With "Enable" it answers as
 * soon as it knows: machine_start for a voicemail greeting, else human (the simulator knows at once).
 */
function withAnsweredBy(source: DocumentSource, detection: string | undefined, mode: AnswerMode): DocumentSource {
  if (!detection || source.kind !== "url") return source;
  return { ...source, params: { ...source.params, AnsweredBy: mode === "voicemail" ? "machine_start" : "human" } };
}

/**
 * Calls.json and Calls/{Sid}.json: create, fetch, list (the account's call log, ended calls included,
 * newest first), redirect and hang up legs.
 */
export function callsRoutes(app: FastifyInstance, core: CarrierCore): void {
  const { config, lifecycle, calls } = core;
  const base = `/2010-04-01/Accounts/:accountSid`;
  const find = (params: Params, url: string): SimCall => {
    const call = params.file.endsWith(".json") ? calls.get(params.file.slice(0, -5)) : undefined;
    if (!call) throw notFound(url.split("?")[0] ?? url);
    return call;
  };

  /** A Url given while a REST call still rings replaces what it will run when answered. */
  const answerSource = new Map<string, ReturnType<typeof sourceFrom>>();

  app.post(`${base}/Calls.json`, async (req, reply) => {
    const body = parseForm(createBody, req.body, 21205);
    if (!body.To) throw new RestError(400, 21201, "No 'To' number is specified");
    if (!body.From) throw new RestError(400, 21213, "No 'From' number is specified");
    const source = sourceFrom(body);
    if (!source) throw new RestError(400, 21205, "Url parameter is required");
    const call = lifecycle.dialOut({
      to: body.To,
      from: body.From,
      direction: "outbound-api",
      timeoutSec: body.Timeout ?? 60,
      statusCallback: subscriptionFrom(body),
      onAnswered: (leg) => lifecycle.redirect(leg, withAnsweredBy(answerSource.get(leg.sid) ?? source, body.MachineDetection, core.endpoints.get(leg.to).mode)),
    });
    return reply.code(201).send(callJson(call, config.accountSid));
  });

  app.get(`${base}/Calls.json`, async (req) => {
    const q = parseForm(listQuery, req.query);
    const started = dateFilter(q, "StartTime");
    const ended = dateFilter(q, "EndTime");
    const items = calls
      .all()
      .filter((c) => (!q.To || c.to === q.To) && (!q.From || c.from === q.From) && (!q.Status || c.status === q.Status) && (!q.ParentCallSid || c.parentCallSid === q.ParentCallSid))
      .filter((c) => started(c.startedAt) && ended(c.endedAt));
    return pageJson("calls", items, req.url.split("?")[0] ?? "", req.query as Record<string, string>, (c) => callJson(c, config.accountSid));
  });

  app.get<{ Params: Params }>(`${base}/Calls/:file`, async (req) => callJson(find(req.params, req.url), config.accountSid));

  app.post<{ Params: Params }>(`${base}/Calls/:file`, async (req) => {
    const call = find(req.params, req.url);
    const body = parseForm(updateBody, req.body);
    const subscription = subscriptionFrom(body);
    if (subscription) call.statusCallback = subscription;
    const answered = call.answeredAt !== undefined;
    if (body.Status === "completed" && !call.ended) void lifecycle.end(call, answered ? "completed" : "canceled");
    else if (body.Status === "canceled" && !call.ended && !answered) void lifecycle.end(call, "canceled");
    else if (body.Status === undefined) {
      const source = sourceFrom(body);
      if (source && call.ended) throw new RestError(400, 21220, "Call is not in-progress. Cannot redirect.");
      if (source && answered) lifecycle.redirect(call, source);
      else if (source) answerSource.set(call.sid, source);
    }
    return callJson(call, config.accountSid);
  });
}
