import { z } from "zod";
import { sleep } from "../abortable.js";
import { readAttrs, resolveUrl, seconds } from "../twiml/attributes.js";
import type { TwimlNode } from "../twiml/parse-twiml.js";
import type { HeardPrompt } from "../sim-call.js";
import type { VerbContext, VerbHandler } from "./verb-context.js";
import { splitOverrides } from "../connection-overrides.js";

const sayAttrs = z.looseObject({
  voice: z.string().optional(),
  language: z.string().optional(),
  loop: z.coerce.number().int().min(0).default(1),
});
const playAttrs = z.looseObject({ loop: z.coerce.number().int().min(0).default(1), digits: z.string().optional() });
/** Twilio's <Pause> lasts one second unless told otherwise. */
const pauseAttrs = z.looseObject({ length: seconds.default(1) });

type During = HeardPrompt["during"];

/** Say and Play take no clock time in the simulator: the prompt is recorded and the call moves on. */
export function say(node: TwimlNode, ctx: VerbContext, during?: During): void {
  const a = readAttrs(node, sayAttrs);
  ctx.call.hear({ verb: "say", text: node.deepText, voice: a.voice, language: a.language, loop: a.loop, during, at: ctx.core.clock.now() });
}

export async function play(node: TwimlNode, ctx: VerbContext, during?: During): Promise<void> {
  const a = readAttrs(node, playAttrs);
  if (a.digits !== undefined) {
    ctx.call.hear({ verb: "play", text: `DTMF ${a.digits}`, during, at: ctx.core.clock.now() });
    return;
  }
  // The media's address: a connection-overrides fragment is no part of it (and never sent).
  const url = splitOverrides(resolveUrl(node.text, ctx.docUrl)).url;
  const missing = ctx.core.config.verifyMedia ? !(await mediaExists(ctx, url)) : undefined;
  ctx.call.hear({ verb: "play", url, loop: a.loop, missing, during, at: ctx.core.clock.now() });
}

export async function pause(node: TwimlNode, ctx: VerbContext): Promise<void> {
  const { length } = readAttrs(node, pauseAttrs);
  await sleep(ctx.core.clock, length * 1000, ctx.signal);
}

export const sayVerb: VerbHandler = async (node, ctx) => {
  say(node, ctx);
  return "next";
};

export const playVerb: VerbHandler = async (node, ctx) => {
  await play(node, ctx);
  return "next";
};

export const pauseVerb: VerbHandler = async (node, ctx) => {
  ctx.call.setState("pause");
  await pause(node, ctx);
  return "next";
};

async function mediaExists(ctx: VerbContext, url: string): Promise<boolean> {
  try {
    const res = await ctx.core.tracker.track(fetch(url, { method: "HEAD", signal: AbortSignal.timeout(5000) }));
    return res.ok;
  } catch {
    return false;
  }
}
