import type { DocumentSource } from "../call-session.js";
import type { ProgressEvent, StatusSubscription } from "../sim-call.js";
import type { HttpMethod } from "../webhook-client.js";
import { RestError } from "./twilio-errors.js";

const PROGRESS = new Set<string>(["initiated", "ringing", "answered", "completed"]);

/** Url (+Method) or Twiml from a REST body: what the leg runs when answered or redirected. */
export function sourceFrom(body: { Url?: string; Method?: HttpMethod; Twiml?: string }): DocumentSource | undefined {
  if (body.Url) return { kind: "url", url: body.Url, method: body.Method ?? "POST" };
  if (body.Twiml !== undefined) {
    if (body.Twiml.length > 4000) throw new RestError(400, 21236, "Twiml parameter exceeds 4000 characters");
    return { kind: "twiml", xml: body.Twiml };
  }
  return undefined;
}

/** StatusCallback + StatusCallbackEvent + StatusCallbackMethod; with no events Twilio sends only completed. */
export function subscriptionFrom(body: { StatusCallback?: string; StatusCallbackEvent?: string[]; StatusCallbackMethod?: HttpMethod }): StatusSubscription | undefined {
  if (!body.StatusCallback) return undefined;
  const asked = (body.StatusCallbackEvent ?? []).filter((e) => PROGRESS.has(e)) as ProgressEvent[];
  return { url: body.StatusCallback, method: body.StatusCallbackMethod ?? "POST", events: new Set(asked.length > 0 ? asked : ["completed"]) };
}
