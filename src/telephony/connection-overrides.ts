import type { Config } from "../config.js";

type WebhookSettings = Pick<Config, "WEBHOOK_CONNECT_TIMEOUT_MS" | "WEBHOOK_READ_TIMEOUT_MS" | "WEBHOOK_TOTAL_TIMEOUT_MS" | "WEBHOOK_RETRY_COUNT" | "WEBHOOK_RETRY_POLICY">;

/**
 * Twilio's webhook connection overrides as the URL fragment it reads them from, e.g.
 * `ct=1000&rc=3&rp=ct,5xx&rt=10000&tt=12000` (https://www.twilio.com/docs/usage/webhooks/webhooks-connection-overrides).
 * Twilio neither sends the fragment nor signs it, so signature checks are unchanged.
 */
export function connectionOverrides(c: WebhookSettings): string {
  // Not URLSearchParams: it would escape the comma in rp, and Twilio's own examples write it plain.
  return [
    `ct=${c.WEBHOOK_CONNECT_TIMEOUT_MS}`,
    `rc=${c.WEBHOOK_RETRY_COUNT}`,
    `rp=${c.WEBHOOK_RETRY_POLICY}`,
    `rt=${c.WEBHOOK_READ_TIMEOUT_MS}`,
    `tt=${c.WEBHOOK_TOTAL_TIMEOUT_MS}`,
  ].join("&");
}

/** The URL as handed to Twilio: with the overrides as its fragment (none when there are none). */
export function withOverrides(url: string, overrides: string): string {
  return overrides ? `${url}#${overrides}` : url;
}
