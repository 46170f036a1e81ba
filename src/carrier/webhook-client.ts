import twilio from "twilio";
import type { Logger } from "pino";
import type { WorkTracker } from "./work-tracker.js";

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

/** Twilio gives an application 15 seconds to answer a webhook. */
const WEBHOOK_TIMEOUT_MS = 15_000;

/**
 * Sends webhooks the way Twilio does: form-encoded POST (or GET with the parameters in the query),
 * signed with X-Twilio-Signature over the exact URL called plus, for POST, the sorted parameters.
 */
export class WebhookClient {
  constructor(
    private readonly authToken: string,
    private readonly tracker: WorkTracker,
    private readonly logger: Logger,
  ) {}

  send(req: WebhookRequest): Promise<WebhookResult> {
    return this.tracker.track(this.deliver(req));
  }

  private async deliver(req: WebhookRequest): Promise<WebhookResult> {
    const form = new URLSearchParams(req.params).toString();
    const url = req.method === "GET" ? appendQuery(req.url, form) : req.url;
    const signed = req.method === "GET" ? {} : req.params;
    const headers: Record<string, string> = {
      "X-Twilio-Signature": twilio.getExpectedTwilioSignature(this.authToken, url, signed),
      "User-Agent": "TwilioProxy/1.1",
      Accept: "*/*",
    };
    if (req.method === "POST") headers["Content-Type"] = "application/x-www-form-urlencoded";
    try {
      const res = await fetch(url, {
        method: req.method,
        headers,
        body: req.method === "POST" ? form : undefined,
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      });
      const body = await res.text();
      return { status: res.status, contentType: res.headers.get("content-type") ?? "", body };
    } catch (err) {
      this.logger.warn({ err, url: stripQuery(url) }, "webhook got no answer");
      return { status: 0, contentType: "", body: "", error: err instanceof Error ? err.message : String(err) };
    }
  }
}

export function appendQuery(url: string, query: string): string {
  if (!query) return url;
  return url + (url.includes("?") ? "&" : "?") + query;
}

function stripQuery(url: string): string {
  return url.split("?")[0] ?? url;
}
