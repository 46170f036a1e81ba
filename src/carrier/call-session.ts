import type { CarrierCore } from "./core.js";
import type { SimCall } from "./sim-call.js";
import type { HttpMethod } from "./webhook-client.js";
import { Interrupted } from "./abortable.js";
import { callParams } from "./call-params.js";
import { interpretAnswer, TwimlError, parseTwiml, type TwimlNode } from "./twiml/parse-twiml.js";
import { runVerbs } from "./verbs/run-verbs.js";
import { splitOverrides } from "./connection-overrides.js";

/** Where the next TwiML comes from: a URL to fetch (with extra parameters such as Digits) or inline TwiML. */
export type DocumentSource =
  | { kind: "url"; url: string; method: HttpMethod; params?: Record<string, string>; endMode?: EndMode; fallback?: FallbackUrl }
  | { kind: "twiml"; xml: string; baseUrl?: string; endMode?: EndMode };

/** A number's VoiceFallbackUrl, requested when its Voice URL fails. */
export interface FallbackUrl {
  url: string;
  method: HttpMethod;
}

/** "hangup": the end of the TwiML ends the call (Twilio's rule); "return": a whisper before a bridge. */
export type EndMode = "hangup" | "return";

export interface LoadedDocument {
  verbs: TwimlNode[];
  url: string | undefined;
}

/**
 * A simulator guard, not Twilio behaviour: Say and Play take no time here, so a document that
 * redirects to itself would spin forever; past this many documents without the clock moving the
 * call gets an application error instead of hanging the test.
 */
const MAX_DOCUMENTS_WITHOUT_TIME = 100;

interface Run {
  controller: AbortController;
  done: Promise<void>;
}

/**
 * Runs TwiML for one leg, document after document. A new run (REST redirect) aborts the current one
 * and starts once its verbs have unwound, so a leg never executes two documents at once.
 */
export class CallSession {
  private current: Run | undefined;

  constructor(
    private readonly core: CarrierCore,
    private readonly call: SimCall,
  ) {}

  run(source: DocumentSource): Promise<void> {
    const previous = this.current;
    previous?.controller.abort();
    const controller = new AbortController();
    const done = (async () => {
      await previous?.done;
      if (!controller.signal.aborted) await this.loop(source, controller.signal);
    })().catch((err: unknown) => this.core.logger.error({ err, callSid: this.call.sid }, "TwiML run crashed"));
    this.current = { controller, done };
    return done;
  }

  /** Aborts whatever runs and waits until it has unwound. */
  async halt(): Promise<void> {
    const current = this.current;
    current?.controller.abort();
    await current?.done;
  }

  private async loop(first: DocumentSource, signal: AbortSignal): Promise<void> {
    const { lifecycle } = this.core;
    let source: DocumentSource | null = first;
    const endMode = first.endMode ?? "hangup";
    let loaded = 0;
    let since = this.core.clock.now();
    try {
      while (source) {
        if (this.core.clock.now() !== since) [loaded, since] = [0, this.core.clock.now()];
        if (++loaded > MAX_DOCUMENTS_WITHOUT_TIME) throw new TwimlError(12400, "Redirect loop: too many documents without time passing");
        const doc = await this.loadOrFallback(source, signal);
        if (signal.aborted) return;
        if (this.call.direction === "inbound" && doc.verbs[0]?.name !== "Reject") lifecycle.answer(this.call);
        source = await runVerbs(doc, { core: this.core, call: this.call, signal, docUrl: doc.url });
      }
      if (!signal.aborted && endMode === "hangup" && !this.call.ended) void lifecycle.end(this.call, "completed");
    } catch (err) {
      if (err instanceof Interrupted || signal.aborted) return;
      if (!(err instanceof TwimlError)) throw err;
      this.applicationError(err);
    }
  }

  /**
   * Twilio's fallback: when the Voice URL cannot be fetched or its answer is not usable TwiML, the
   * number's fallback URL gets the same request plus ErrorCode and ErrorUrl, and its TwiML runs.
   */
  private async loadOrFallback(source: DocumentSource, signal: AbortSignal): Promise<LoadedDocument> {
    try {
      return await this.load(source, signal);
    } catch (err) {
      if (!(err instanceof TwimlError) || source.kind !== "url" || !source.fallback || signal.aborted) throw err;
      this.core.logger.warn({ callSid: this.call.sid, code: err.code }, "voice URL failed; requesting the fallback URL");
      const params = { ...source.params, ErrorCode: String(err.code), ErrorUrl: splitOverrides(source.url).url };
      return this.load({ kind: "url", url: source.fallback.url, method: source.fallback.method, params }, signal);
    }
  }

  /** Fetches (or parses) a document; a failed fetch or unusable answer is Twilio's application error. */
  private async load(source: DocumentSource, signal: AbortSignal): Promise<LoadedDocument> {
    if (source.kind === "twiml") return { verbs: parseTwiml(source.xml), url: source.baseUrl };
    this.call.setState("fetching");
    const params = { ...callParams(this.call, this.core.config.accountSid), ...source.params };
    const res = await this.core.webhooks.send({ url: source.url, method: source.method, params });
    if (signal.aborted) throw new Interrupted();
    if (res.error) throw new TwimlError(11200, `HTTP retrieval failure: ${res.error}`);
    if (res.status < 200 || res.status >= 300) throw new TwimlError(11200, `HTTP retrieval failure: status ${res.status}`);
    return { verbs: interpretAnswer(res.contentType, res.body, source.url), url: source.url };
  }

  /** The caller hears Twilio's apology and the call ends (answered, so "completed"). */
  private applicationError(err: TwimlError): void {
    const { lifecycle, clock, logger } = this.core;
    logger.warn({ callSid: this.call.sid, code: err.code, reason: err.message }, "application error on call");
    if (this.call.ended) return;
    this.core.applicationErrors.push({ callSid: this.call.sid, code: err.code, reason: err.message, at: clock.now() });
    lifecycle.answer(this.call);
    this.call.hear({ verb: "error", text: `An application error has occurred. (${err.code}: ${err.message})`, at: clock.now() });
    void lifecycle.end(this.call, "completed");
  }
}
