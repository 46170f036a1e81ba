import { z } from "zod";
import { waitUntil } from "../abortable.js";
import { readAttrs, resolveUrl, seconds, twimlMethod } from "../twiml/attributes.js";
import { TwimlError } from "../twiml/parse-twiml.js";
import type { SimCall } from "../sim-call.js";
import { dialTargets, type DialTarget } from "./dial-targets.js";
import { dialConference } from "./dial-conference.js";
import type { VerbContext, VerbHandler } from "./verb-context.js";

/** Twilio's <Dial> defaults: ring 30 s, talk at most 4 hours, caller ID = the caller's. */
export const dialAttrs = z.looseObject({
  action: z.string().optional(),
  method: twimlMethod.default("POST"),
  timeout: seconds.default(30),
  timeLimit: seconds.default(14_400),
  callerId: z.string().optional(),
});
export type DialAttrs = z.infer<typeof dialAttrs>;

export const dialVerb: VerbHandler = async (node, ctx) => {
  const a = readAttrs(node, dialAttrs);
  const conference = node.children.find((c) => c.name === "Conference");
  if (conference) return dialConference(a, conference, ctx);
  if (node.children.some((c) => c.name === "Queue")) throw new TwimlError(12200, "<Dial><Queue> is not supported by the simulator");
  const outcome = await ringAndBridge(dialTargets(node, ctx.docUrl), a, ctx);
  if (!a.action) return "next";
  return { kind: "url", url: resolveUrl(a.action, ctx.docUrl), method: a.method, params: outcome };
};

/**
 * Rings every target at once; the first to answer is bridged and the others are cancelled. Returns
 * Twilio's Dial action parameters once the bridge (or the attempt) is over.
 */
async function ringAndBridge(targets: DialTarget[], a: DialAttrs, ctx: VerbContext): Promise<Record<string, string>> {
  const { call, core, signal } = ctx;
  call.setState("dial");
  const legs = targets.map((t) =>
    core.lifecycle.dialOut({
      to: t.address,
      from: a.callerId ?? call.from,
      direction: "outbound-dial",
      parent: call,
      timeoutSec: a.timeout,
      statusCallback: t.statusCallback,
    }),
  );
  try {
    const winner = await firstAnswer(legs, signal);
    for (const leg of legs) if (leg !== winner && !leg.ended) void core.lifecycle.end(leg, "canceled");
    if (!winner) return { DialCallStatus: failureStatus(legs), DialBridged: "false" };
    const target = targets[legs.indexOf(winner)];
    if (target?.url) await core.lifecycle.sessionOf(winner).run({ kind: "url", ...target.url, endMode: "return" });
    if (winner.ended) return { DialCallStatus: "completed", DialCallSid: winner.sid, DialCallDuration: String(winner.durationSeconds(core.clock.now())), DialBridged: "false" };
    winner.setState("bridged");
    call.setState("bridged");
    await untilBridgeEnds(winner, a.timeLimit * 1000, ctx);
    if (!winner.ended && winner.state === "bridged") void core.lifecycle.end(winner, "completed");
    return { DialCallStatus: "completed", DialCallSid: winner.sid, DialCallDuration: String(winner.durationSeconds(core.clock.now())), DialBridged: "true" };
  } finally {
    // The caller hung up or was redirected: ringing legs are cancelled, a bridged one hangs up.
    for (const leg of legs) {
      if (!leg.ended && (leg.status === "ringing" || leg.status === "queued")) void core.lifecycle.end(leg, "canceled");
      else if (!leg.ended && signal.aborted && leg.state === "bridged") void core.lifecycle.end(leg, "completed");
    }
  }
}

function firstAnswer(legs: SimCall[], signal: AbortSignal): Promise<SimCall | undefined> {
  return waitUntil(signal, (done) => {
    const check = () => {
      const answered = legs.find((l) => l.answeredAt !== undefined);
      if (answered) done(answered);
      else if (legs.every((l) => l.ended)) done(undefined);
    };
    const offs = legs.map((l) => l.onChange(check));
    queueMicrotask(check);
    return () => offs.forEach((off) => off());
  });
}

/** The bridge ends when the called party hangs up or is redirected away, or at timeLimit. */
function untilBridgeEnds(leg: SimCall, limitMs: number, ctx: VerbContext): Promise<void> {
  return waitUntil<void>(ctx.signal, (done) => {
    const off = leg.onChange(() => {
      if (leg.ended || leg.state !== "bridged") done();
    });
    const cancel = ctx.core.clock.setTimer(limitMs, () => done());
    return () => {
      off();
      cancel();
    };
  });
}

/** What Twilio reports when nobody was bridged. */
function failureStatus(legs: SimCall[]): string {
  if (legs.some((l) => l.status === "busy")) return "busy";
  if (legs.length > 0 && legs.every((l) => l.status === "failed")) return "failed";
  if (legs.some((l) => l.status === "canceled")) return "canceled";
  return "no-answer";
}
