import { z } from "zod";
import { eventList, readAttrs, resolveUrl, twimlMethod } from "../twiml/attributes.js";
import { TwimlError, type TwimlNode } from "../twiml/parse-twiml.js";
import type { ProgressEvent, StatusSubscription } from "../sim-call.js";
import type { HttpMethod } from "../webhook-client.js";

/** One party a <Dial> rings: its address as the To of the child leg, and that leg's own callbacks. */
export interface DialTarget {
  address: string;
  statusCallback?: StatusSubscription;
  /** TwiML run on the called party after it answers and before the bridge (a whisper). */
  url?: { url: string; method: HttpMethod };
}

const nounAttrs = z.looseObject({
  url: z.string().optional(),
  method: twimlMethod.default("POST"),
  statusCallback: z.string().optional(),
  /** Twilio's default for a noun with a statusCallback is the completed event only. */
  statusCallbackEvent: eventList.default(["completed"]),
  statusCallbackMethod: twimlMethod.default("POST"),
});

const PROGRESS = new Set<string>(["initiated", "ringing", "answered", "completed"]);

/** Reads <Number>, <Client> and <Sip> nouns (or a bare number as the Dial's text). */
export function dialTargets(dial: TwimlNode, docUrl: string | undefined): DialTarget[] {
  if (dial.children.length === 0) {
    if (!dial.text) throw new TwimlError(12200, "<Dial> needs a number or a noun");
    return [{ address: dial.text }];
  }
  return dial.children.map((noun) => {
    const a = readAttrs(noun, nounAttrs);
    const target: DialTarget = { address: addressOf(noun) };
    if (a.statusCallback) {
      const events = new Set(a.statusCallbackEvent.filter((e) => PROGRESS.has(e)) as ProgressEvent[]);
      target.statusCallback = { url: resolveUrl(a.statusCallback, docUrl), method: a.statusCallbackMethod, events };
    }
    if (a.url) target.url = { url: resolveUrl(a.url, docUrl), method: a.method };
    return target;
  });
}

function addressOf(noun: TwimlNode): string {
  switch (noun.name) {
    case "Number":
      return noun.text;
    case "Client": {
      // <Client>alice</Client> or <Client><Identity>alice</Identity><Parameter …/></Client>
      const identity = noun.children.find((c) => c.name === "Identity")?.text ?? noun.text;
      return `client:${identity}`;
    }
    case "Sip":
      return noun.text.startsWith("sip:") ? noun.text : `sip:${noun.text}`;
    default:
      throw new TwimlError(12200, `Schema validation: <${noun.name}> cannot be nested in <Dial> here`);
  }
}
