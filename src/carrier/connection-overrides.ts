/**
 * Twilio's webhook connection overrides: a fragment on a webhook URL such as
 * `#ct=1000&rc=3&rp=ct,5xx&tt=12000` that sets timeouts and retries for requests to that URL.
 * Names, ranges and defaults from https://www.twilio.com/docs/usage/webhooks/webhooks-connection-overrides
 * (ct 100–10000, default 5000; rt 100–15000, default 15000; tt 100–15000, default 15000; rc 0–5,
 * default 1; rp a comma-separated list of 4xx, 5xx, ct, rt, all, default ct).
 */

/** What went wrong with one attempt, in the retry policy's words. */
export type FailureKind = "ct" | "rt" | "4xx" | "5xx";

export interface ConnectionOverrides {
  /** ct: waiting for the TCP connection. */
  connectTimeoutMs: number;
  /** rt: waiting for the first byte of the answer after sending, and between its packets. */
  readTimeoutMs: number;
  /** tt: every attempt together, retries included. */
  totalTimeoutMs: number;
  /** rc: attempts after the first. */
  retryCount: number;
  /** rp: which failures are retried. */
  retryOn: ReadonlySet<FailureKind>;
}

export const TWILIO_DEFAULTS: ConnectionOverrides = {
  connectTimeoutMs: 5000,
  readTimeoutMs: 15_000,
  totalTimeoutMs: 15_000,
  retryCount: 1,
  retryOn: new Set<FailureKind>(["ct"]),
};

const RANGES = {
  ct: { key: "connectTimeoutMs", min: 100, max: 10_000 },
  rt: { key: "readTimeoutMs", min: 100, max: 15_000 },
  tt: { key: "totalTimeoutMs", min: 100, max: 15_000 },
  rc: { key: "retryCount", min: 0, max: 5 },
} as const;

const KINDS: readonly FailureKind[] = ["ct", "rt", "4xx", "5xx"];

/**
 * The URL to request (never with its fragment: Twilio sends no fragment and signs without it) and the
 * overrides the fragment asks for. A value Twilio would not accept keeps Twilio's default for that key
 * and is reported in `invalid` (Twilio's own reaction, e.g. error 11243 for a bad rp, is not simulated).
 */
export function splitOverrides(url: string): { url: string; overrides: ConnectionOverrides; invalid: string[] } {
  const hash = url.indexOf("#");
  if (hash < 0) return { url, overrides: TWILIO_DEFAULTS, invalid: [] };
  const overrides = { ...TWILIO_DEFAULTS };
  const invalid: string[] = [];
  for (const [key, value] of new URLSearchParams(url.slice(hash + 1))) {
    if (key === "rp") {
      const kinds = value.split(",").map((v) => v.trim());
      if (kinds.length && kinds.every((k) => k === "all" || KINDS.includes(k as FailureKind))) {
        overrides.retryOn = new Set(kinds.includes("all") ? KINDS : (kinds as FailureKind[]));
      } else invalid.push(`${key}=${value}`);
      continue;
    }
    const range = RANGES[key as keyof typeof RANGES];
    // Other keys (e: the egress edge, sni) change nothing on a loopback network.
    if (!range) continue;
    const n = Number(value);
    if (/^\d+$/.test(value) && n >= range.min && n <= range.max) overrides[range.key] = n;
    else invalid.push(`${key}=${value}`);
  }
  return { url: url.slice(0, hash), overrides, invalid };
}
