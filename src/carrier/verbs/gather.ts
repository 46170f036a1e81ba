import { z } from "zod";
import { waitUntil } from "../abortable.js";
import { readAttrs, resolveUrl, seconds, twimlBool, twimlMethod } from "../twiml/attributes.js";
import { TwimlError } from "../twiml/parse-twiml.js";
import { DigitCollector } from "./digit-collector.js";
import { play, say } from "./prompts.js";
import type { VerbContext, VerbHandler } from "./verb-context.js";

/** Twilio's defaults: action = this document, POST, 5 s timeout, '#' finishes, no digit limit. */
const gatherAttrs = z.looseObject({
  action: z.string().optional(),
  method: twimlMethod.default("POST"),
  timeout: seconds.default(5),
  numDigits: z.coerce.number().int().min(1).optional(),
  finishOnKey: z.string().regex(/^[0-9#*]?$/, "must be one key or empty").default("#"),
  input: z.string().default("dtmf"),
  actionOnEmptyResult: twimlBool.default(false),
});

/**
 * <Gather>: nested Say/Play/Pause run first and the first key stops them (barge-in); then each key
 * restarts the `timeout`. With no digits Twilio goes on to the next verb, unless actionOnEmptyResult.
 */
export const gatherVerb: VerbHandler = async (node, ctx) => {
  const a = readAttrs(node, gatherAttrs);
  const { call } = ctx;
  const action = a.action !== undefined ? resolveUrl(a.action, ctx.docUrl) : ctx.docUrl;
  const collector = new DigitCollector(a.numDigits, a.finishOnKey);
  const waiter = new KeyWaiter(ctx, collector);
  call.lastGather = { action, method: a.method, numDigits: a.numDigits, timeout: a.timeout, finishOnKey: a.finishOnKey, actionOnEmptyResult: a.actionOnEmptyResult };
  call.setState("gather");
  if (a.input.split(/\s+/).includes("dtmf")) call.keySink = (key) => waiter.key(key);
  try {
    for (const child of node.children) {
      if (collector.touched) break;
      if (child.name === "Say") say(child, ctx, "gather");
      else if (child.name === "Play") await play(child, ctx, "gather");
      else if (child.name === "Pause") await waiter.keyOrTimeout(pauseMs(child.attrs.length));
      else throw new TwimlError(12200, `Schema validation: <${child.name}> cannot be nested in <Gather>`);
    }
    while (!collector.done && (await waiter.keyOrTimeout(a.timeout * 1000)));
  } finally {
    call.keySink = null;
  }
  if (collector.digits === "" && !a.actionOnEmptyResult) return "next";
  if (!action) throw new TwimlError(11100, "Invalid URL: <Gather> has no action and the document has no URL");
  return { kind: "url", url: action, method: a.method, params: { Digits: collector.digits, FinishedOnKey: collector.finishedOnKey } };
};

function pauseMs(length: string | undefined): number {
  const s = length === undefined ? 1 : Number(length);
  if (!Number.isInteger(s) || s < 0) throw new TwimlError(12200, "<Pause> length must be a whole number of seconds");
  return s * 1000;
}

/** Wakes the Gather on a key or when clock time runs out, whichever comes first. */
class KeyWaiter {
  private wake: (() => void) | null = null;

  constructor(
    private readonly ctx: VerbContext,
    private readonly collector: DigitCollector,
  ) {}

  key(key: string): void {
    this.collector.push(key);
    this.wake?.();
  }

  /** true when a key came, false on timeout. */
  keyOrTimeout(ms: number): Promise<boolean> {
    return waitUntil<boolean>(this.ctx.signal, (done) => {
      this.wake = () => done(true);
      const cancel = this.ctx.core.clock.setTimer(ms, () => done(false));
      return () => {
        this.wake = null;
        cancel();
      };
    });
  }
}
