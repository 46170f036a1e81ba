import { z } from "zod";
import type { FastifyInstance } from "fastify";
import type { CarrierCore } from "../core.js";
import type { IncomingNumber } from "../phone-numbers.js";
import { incomingNumberJson, pageJson } from "./json-shapes.js";
import { formMethod, formString, parseForm } from "./form.js";
import { notFound, RestError } from "./twilio-errors.js";

const listQuery = z.looseObject({ PhoneNumber: z.string().optional(), FriendlyName: z.string().optional() });

/** An empty value removes a URL, as on Twilio. */
const urlOrEmpty = formString.pipe(z.union([z.literal(""), z.url({ protocol: /^https?$/ })]));

const updateBody = z.looseObject({
  FriendlyName: formString.pipe(z.string().max(64)).optional(),
  VoiceUrl: urlOrEmpty.optional(),
  VoiceMethod: formMethod.optional(),
  VoiceFallbackUrl: urlOrEmpty.optional(),
  VoiceFallbackMethod: formMethod.optional(),
  StatusCallback: urlOrEmpty.optional(),
  StatusCallbackMethod: formMethod.optional(),
});

type Params = { accountSid: string; file: string };

/**
 * Twilio's PhoneNumber filter takes partial numbers and `*` for any one digit; a filter that does not
 * start with `+` may match anywhere in the number.
 */
function matchesPhoneNumber(filter: string, number: string): boolean {
  const pattern = filter.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "\\d");
  return new RegExp(pattern).test(number);
}

/** IncomingPhoneNumbers.json and IncomingPhoneNumbers/{PN Sid}.json: list, fetch and update the account's numbers. */
export function numberRoutes(app: FastifyInstance, core: CarrierCore): void {
  const { config, numbers } = core;
  const base = `/2010-04-01/Accounts/:accountSid/IncomingPhoneNumbers`;
  const find = (params: Params, url: string): IncomingNumber => {
    const number = params.file.endsWith(".json") ? numbers.bySid(params.file.slice(0, -5)) : undefined;
    if (!number) throw notFound(url.split("?")[0] ?? url);
    return number;
  };

  app.get(`${base}.json`, async (req) => {
    const q = parseForm(listQuery, req.query);
    const items = numbers.all().filter((n) => (!q.PhoneNumber || matchesPhoneNumber(q.PhoneNumber, n.phoneNumber)) && (!q.FriendlyName || n.friendlyName === q.FriendlyName));
    return pageJson("incoming_phone_numbers", items, req.url.split("?")[0] ?? "", req.query as Record<string, string>, (n) => incomingNumberJson(n, config.accountSid));
  });

  app.get<{ Params: Params }>(`${base}/:file`, async (req) => incomingNumberJson(find(req.params, req.url), config.accountSid));

  app.post<{ Params: Params }>(`${base}/:file`, async (req) => {
    const number = find(req.params, req.url);
    const body = parseForm(updateBody, req.body);
    const voiceUrl = body.VoiceUrl ?? number.voiceUrl;
    if (body.VoiceFallbackUrl && !voiceUrl) throw new RestError(400, 21405, "Cannot set VoiceFallbackUrl without setting Url");
    const patch = {
      friendlyName: body.FriendlyName,
      voiceUrl: body.VoiceUrl,
      voiceMethod: body.VoiceMethod,
      voiceFallbackUrl: body.VoiceFallbackUrl,
      voiceFallbackMethod: body.VoiceFallbackMethod,
      statusCallback: body.StatusCallback,
      statusCallbackMethod: body.StatusCallbackMethod,
    };
    numbers.update(number, Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)));
    return incomingNumberJson(number, config.accountSid);
  });
}
