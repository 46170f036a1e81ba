import { z } from "zod";
import type { FastifyInstance } from "fastify";
import type { CarrierCore } from "../core.js";
import type { ConferenceRoom } from "../conference/conference-room.js";
import { conferenceJson, pageJson } from "./json-shapes.js";
import { formMethod, formString, formUrl, parseForm } from "./form.js";
import { notFound } from "./twilio-errors.js";

const listQuery = z.looseObject({
  FriendlyName: z.string().optional(),
  Status: z.enum(["init", "in-progress", "completed"]).optional(),
});

const updateBody = z.looseObject({
  Status: formString.pipe(z.literal("completed")).optional(),
  AnnounceUrl: formUrl.optional(),
  AnnounceMethod: formMethod.optional(),
});

type Params = { accountSid: string; file: string };

/** Conferences.json and Conferences/{Sid}.json: list, fetch, end, announce. */
export function conferenceRoutes(app: FastifyInstance, core: CarrierCore): void {
  const { config, conferences } = core;
  const base = `/2010-04-01/Accounts/:accountSid/Conferences`;
  const find = (params: Params, url: string): ConferenceRoom => {
    const room = params.file.endsWith(".json") ? conferences.bySid(params.file.slice(0, -5)) : undefined;
    if (!room) throw notFound(url.split("?")[0] ?? url);
    return room;
  };

  app.get(`${base}.json`, async (req) => {
    const q = parseForm(listQuery, req.query);
    const rooms = conferences.list({ friendlyName: q.FriendlyName, status: q.Status });
    return pageJson("conferences", rooms, req.url.split("?")[0] ?? "", req.query as Record<string, string>, (r) => conferenceJson(r, config.accountSid));
  });

  app.get<{ Params: Params }>(`${base}/:file`, async (req) => conferenceJson(find(req.params, req.url), config.accountSid));

  app.post<{ Params: Params }>(`${base}/:file`, async (req) => {
    const room = find(req.params, req.url);
    const body = parseForm(updateBody, req.body);
    if (body.AnnounceUrl) room.announce([...room.participants.values()], body.AnnounceUrl, body.AnnounceMethod ?? "POST");
    if (body.Status === "completed") room.end("conference-ended-via-api");
    return conferenceJson(room, config.accountSid);
  });
}
