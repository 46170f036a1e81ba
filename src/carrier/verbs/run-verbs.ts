import type { DocumentSource, LoadedDocument } from "../call-session.js";
import { TwimlError } from "../twiml/parse-twiml.js";
import { readAttrs, resolveUrl, twimlMethod } from "../twiml/attributes.js";
import { z } from "zod";
import type { VerbContext, VerbHandler } from "./verb-context.js";
import { pauseVerb, playVerb, sayVerb } from "./prompts.js";
import { gatherVerb } from "./gather.js";
import { dialVerb } from "./dial.js";
import { recordVerb } from "./record.js";

const redirectAttrs = z.looseObject({ method: twimlMethod.default("POST") });
const rejectAttrs = z.looseObject({ reason: z.enum(["rejected", "busy"]).default("rejected") });

const redirectVerb: VerbHandler = async (node, ctx) => {
  const { method } = readAttrs(node, redirectAttrs);
  return { kind: "url", url: resolveUrl(node.text, ctx.docUrl), method };
};

const hangupVerb: VerbHandler = async (_node, ctx) => {
  void ctx.core.lifecycle.end(ctx.call, "completed");
  return "stop";
};

/** Twilio never answers a call whose first verb is <Reject>: busy → "busy", rejected → "no-answer". */
const rejectVerb: VerbHandler = async (node, ctx) => {
  const { reason } = readAttrs(node, rejectAttrs);
  const answered = ctx.call.answeredAt !== undefined;
  void ctx.core.lifecycle.end(ctx.call, answered ? "completed" : reason === "busy" ? "busy" : "no-answer");
  return "stop";
};

const HANDLERS: Record<string, VerbHandler> = {
  Say: sayVerb,
  Play: playVerb,
  Pause: pauseVerb,
  Gather: gatherVerb,
  Redirect: redirectVerb,
  Hangup: hangupVerb,
  Reject: rejectVerb,
  Dial: dialVerb,
  Record: recordVerb,
};

/** Executes a document's verbs in order; returns the next document to load, or null at its end. */
export async function runVerbs(doc: LoadedDocument, ctx: VerbContext): Promise<DocumentSource | null> {
  for (const node of doc.verbs) {
    const handler = HANDLERS[node.name];
    if (!handler) throw new TwimlError(12200, `Schema validation: <${node.name}> is not a verb the simulator knows`);
    const result = await handler(node, ctx);
    if (result === "stop") return null;
    if (result !== "next") return result;
  }
  return null;
}
