import { Interrupted } from "../abortable.js";
import { callParams } from "../call-params.js";
import type { CarrierCore } from "../core.js";
import type { SimCall, HeardPrompt } from "../sim-call.js";
import { interpretAnswer, TwimlError } from "../twiml/parse-twiml.js";
import { readAttrs, resolveUrl, twimlMethod } from "../twiml/attributes.js";
import type { HttpMethod } from "../webhook-client.js";
import { pause, play, say } from "../verbs/prompts.js";
import type { VerbContext } from "../verbs/verb-context.js";
import { z } from "zod";

/** Twilio's own hold music, played when a conference gives no waitUrl (never fetched by the simulator). */
export const DEFAULT_HOLD_MUSIC = "https://twimlets.com/holdmusic?Bucket=com.twilio.music.classical";

export interface MusicSpec {
  /** undefined: Twilio's default music; "": silence. */
  url: string | undefined;
  method: HttpMethod;
  during: NonNullable<HeardPrompt["during"]>;
  /** Wait and hold music start over when their TwiML ends; an announcement plays once. */
  repeat: boolean;
}

const redirectAttrs = z.looseObject({ method: twimlMethod.default("POST") });

/**
 * Plays a waitUrl / holdUrl / announceUrl to one leg: an audio file, or TwiML made of Say, Play, Pause
 * and Redirect. A round that took no clock time is not repeated: the music simply plays on.
 */
export class MusicLoop {
  private readonly controller = new AbortController();
  readonly finished: Promise<void>;

  constructor(
    private readonly core: CarrierCore,
    private readonly call: SimCall,
    private readonly spec: MusicSpec,
  ) {
    this.finished = this.run().catch((err: unknown) => {
      if (!(err instanceof Interrupted)) core.logger.warn({ err, callSid: call.sid }, "music loop stopped");
    });
  }

  stop(): void {
    this.controller.abort();
  }

  private async run(): Promise<void> {
    const { core, call, spec } = this;
    if (spec.url === "") return;
    if (spec.url === undefined) {
      call.hear({ verb: "play", url: DEFAULT_HOLD_MUSIC, during: spec.during, at: core.clock.now() });
      return;
    }
    let source: { url: string; method: HttpMethod } | null = { url: spec.url, method: spec.method };
    while (source && !this.controller.signal.aborted) {
      const started = core.clock.now();
      const next = await this.playOnce(source);
      const tookTime = core.clock.now() > started;
      source = next && tookTime ? next : spec.repeat && tookTime ? source : null;
    }
  }

  /** Plays one document; returns where its <Redirect> points, if anywhere. */
  private async playOnce(source: { url: string; method: HttpMethod }): Promise<{ url: string; method: HttpMethod } | null> {
    const { core, call, spec } = this;
    const signal = this.controller.signal;
    const res = await core.webhooks.send({ ...source, params: callParams(call, core.config.accountSid) });
    if (signal.aborted) return null;
    if (res.error || res.status < 200 || res.status >= 300) throw new TwimlError(11200, `HTTP retrieval failure: ${res.status}`);
    const ctx: VerbContext = { core, call, signal, docUrl: source.url };
    for (const node of interpretAnswer(res.contentType, res.body, source.url)) {
      if (signal.aborted) return null;
      if (node.name === "Say") say(node, ctx, spec.during);
      else if (node.name === "Play") await play(node, ctx, spec.during);
      else if (node.name === "Pause") await pause(node, ctx);
      else if (node.name === "Redirect") return { url: resolveUrl(node.text, source.url), method: readAttrs(node, redirectAttrs).method };
      else core.logger.warn({ callSid: call.sid, verb: node.name }, "verb not allowed in wait/hold music; ignored");
    }
    return null;
  }
}
