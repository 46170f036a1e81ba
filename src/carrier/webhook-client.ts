import twilio from "twilio";
import type { Logger } from "pino";
import type { WorkTracker } from "./work-tracker.js";
import { splitOverrides, type ConnectionOverrides, type FailureKind } from "./connection-overrides.js";
import { httpAttempt, type AttemptResult } from "./http-attempt.js";

export type HttpMethod = "GET" | "POST";

export interface WebhookRequest {
  url: string;
  method: HttpMethod;
  params: Record<string, string>;
}

export interface WebhookResult {
  status: number;
  contentType: string;
  body: string;
  /** Set when no HTTP answer came at all (connection refused, timeout). */
  error?: string;
}

/** One try at a webhook, as tests read it: where it went (never with a fragment) and what went wrong. */
export interface WebhookAttempt {
  url: string;
  method: HttpMethod;
  /** 0 for the first try, 1 for the first retry… */
  retry: number;
  failure?: FailureKind;
}

/**
 * A webhook that failed for good, as Twilio's debugger would list it: no HTTP answer at all, or a
 * non-2xx one, once the retries its connection overrides allow were spent.
 */
export interface WebhookFailure {
  url: string;
  method: HttpMethod;
  /** The call the request was about (CallSid), if any. */
  callSid: string | undefined;
  /** The last try's HTTP status; 0 when no answer came. */
  status: number;
  /** Why no answer came (refused, timeout), when none did. */
  error?: string;
  /** Tries made, retries included. */
  tries: number;
}

/**
 * Sends webhooks the way Twilio does: form-encoded POST (or GET with the parameters in the query),
 * signed with X-Twilio-Signature over the exact URL called plus, for POST, the sorted parameters.
 * A URL's connection-overrides fragment sets its timeouts and retries; the fragment itself is neither
 * sent nor signed.
 */
export class WebhookClient {
  /** Every try, in order (retries included). */
  readonly attempts: WebhookAttempt[] = [];
  /** Every webhook whose last try failed, in order: what a test reads to say "no webhook failed". */
  readonly failures: WebhookFailure[] = [];

  constructor(
    private readonly authToken: string,
    private readonly tracker: WorkTracker,
    private readonly logger: Logger,
  ) {}

  send(req: WebhookRequest): Promise<WebhookResult> {
    return this.tracker.track(this.deliver(req));
  }

  private async deliver(req: WebhookRequest): Promise<WebhookResult> {
    const { url: target, overrides, invalid } = splitOverrides(req.url);
    if (invalid.length) this.logger.warn({ url: stripQuery(target), invalid }, "connection overrides out of Twilio's ranges; its defaults apply");
    const form = new URLSearchParams(req.params).toString();
    const url = req.method === "GET" ? appendQuery(target, form) : target;
    const headers: Record<string, string> = {
      "X-Twilio-Signature": twilio.getExpectedTwilioSignature(this.authToken, url, req.method === "GET" ? {} : req.params),
      "User-Agent": "TwilioProxy/1.1",
      Accept: "*/*",
    };
    if (req.method === "POST") headers["Content-Type"] = "application/x-www-form-urlencoded";
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      this.failures.push({ url: target, method: req.method, callSid: req.params.CallSid, status: 0, error, tries: 0 });
      return this.noAnswer(url, error);
    }
    const deadline = Date.now() + overrides.totalTimeoutMs;
    for (let retry = 0; ; retry++) {
      const result = await httpAttempt(parsed, { method: req.method, headers, body: req.method === "POST" ? form : undefined }, {
        connectTimeoutMs: overrides.connectTimeoutMs,
        readTimeoutMs: overrides.readTimeoutMs,
        remainingMs: Math.max(1, deadline - Date.now()),
      });
      const failure = failureOf(result);
      this.attempts.push({ url: target, method: req.method, retry, failure });
      if (!failure || !mayRetry(overrides, failure, retry, deadline)) {
        // A 3xx is no failure to retry, but no usable answer either.
        if (failure || (result.kind === "answer" && (result.status < 200 || result.status >= 300))) {
          const status = result.kind === "answer" ? result.status : 0;
          const error = result.kind === "failed" ? result.error : undefined;
          this.failures.push({ url: target, method: req.method, callSid: req.params.CallSid, status, error, tries: retry + 1 });
        }
        if (result.kind === "failed") return this.noAnswer(url, result.error);
        return { status: result.status, contentType: result.contentType, body: result.body };
      }
      this.logger.info({ url: stripQuery(target), failure, retry: retry + 1 }, "webhook failed; retrying as its connection overrides ask");
    }
  }

  private noAnswer(url: string, error: string): WebhookResult {
    this.logger.warn({ err: error, url: stripQuery(url) }, "webhook got no answer");
    return { status: 0, contentType: "", body: "", error };
  }
}

function failureOf(result: AttemptResult): FailureKind | undefined {
  if (result.kind === "failed") return result.failure;
  if (result.status >= 500) return "5xx";
  if (result.status >= 400) return "4xx";
  return undefined;
}

/**
 * Retried at once: Twilio documents no pause between attempts, only that all of them share the
 * total timeout.
 */
function mayRetry(o: ConnectionOverrides, failure: FailureKind, retry: number, deadline: number): boolean {
  return retry < o.retryCount && o.retryOn.has(failure) && Date.now() < deadline;
}

export function appendQuery(url: string, query: string): string {
  if (!query) return url;
  return url + (url.includes("?") ? "&" : "?") + query;
}

function stripQuery(url: string): string {
  return url.split("?")[0] ?? url;
}
