import { z } from "zod";
import type { FastifyInstance } from "fastify";
import type { CarrierCore } from "../core.js";
import type { SimMessage } from "../messages.js";
import { formString, formUrl, parseForm } from "./form.js";
import { pageJson } from "./json-shapes.js";
import { notFound, RestError } from "./twilio-errors.js";

const createBody = z.looseObject({
  To: formString.optional(),
  From: formString.optional(),
  Body: formString.optional(),
  StatusCallback: formUrl.optional(),
});

const iso = (ms: number) => new Date(ms).toUTCString();

export function messageJson(m: SimMessage, accountSid: string) {
  return {
    sid: m.sid,
    account_sid: accountSid,
    to: m.to,
    from: m.from,
    body: m.body,
    status: m.status,
    direction: "outbound-api",
    num_segments: "1",
    date_created: iso(m.dateCreated),
    date_updated: iso(m.dateUpdated),
    date_sent: m.status === "queued" ? null : iso(m.dateUpdated),
    api_version: "2010-04-01",
    uri: `/2010-04-01/Accounts/${accountSid}/Messages/${m.sid}.json`,
  };
}

/** Messages.json: send, list and fetch text messages (Twilio's Programmable Messaging, as far as the hotline uses it). */
export function messageRoutes(app: FastifyInstance, core: CarrierCore): void {
  const { config, messages } = core;
  const base = `/2010-04-01/Accounts/:accountSid/Messages`;

  app.post(`${base}.json`, async (req, reply) => {
    const body = parseForm(createBody, req.body, 21602);
    if (!body.To) throw new RestError(400, 21604, "A 'To' phone number is required.");
    if (!body.From) throw new RestError(400, 21603, "A 'From' phone number is required.");
    if (!body.Body) throw new RestError(400, 21602, "Message body is required.");
    const message = messages.send({ to: body.To, from: body.From, body: body.Body, statusCallback: body.StatusCallback });
    return reply.code(201).send(messageJson(message, config.accountSid));
  });

  app.get(`${base}.json`, async (req) =>
    pageJson("messages", messages.all(), req.url.split("?")[0] ?? "", req.query as Record<string, string>, (m) => messageJson(m, config.accountSid)),
  );

  app.get<{ Params: { accountSid: string; file: string } }>(`${base}/:file`, async (req) => {
    const message = req.params.file.endsWith(".json") ? messages.bySid(req.params.file.slice(0, -5)) : undefined;
    if (!message) throw notFound(req.url.split("?")[0] ?? req.url);
    return messageJson(message, config.accountSid);
  });
}
