import http from "node:http";
import https from "node:https";
import type { FailureKind } from "./connection-overrides.js";

export interface AttemptLimits {
  connectTimeoutMs: number;
  readTimeoutMs: number;
  /** What is left of the total timeout: the attempt fails when it runs out. */
  remainingMs: number;
}

export type AttemptResult =
  | { kind: "answer"; status: number; contentType: string; body: string }
  | { kind: "failed"; failure: Extract<FailureKind, "ct" | "rt">; error: string };

/** Pooled connections, as Twilio keeps them; a storm of webhooks must not use up loopback ports. */
const agents = { "http:": new http.Agent({ keepAlive: true }), "https:": new https.Agent({ keepAlive: true }) };

/**
 * One HTTP request with Twilio's three clocks: connecting (ct), waiting for the answer and for each
 * of its packets (rt), and the whole budget left (tt). node:http rather than fetch, because fetch
 * cannot tell a connection that never opened from an answer that never came.
 */
export function httpAttempt(url: URL, init: { method: string; headers: Record<string, string>; body?: string }, limits: AttemptLimits): Promise<AttemptResult> {
  return attemptOnce(url, init, limits, true);
}

function attemptOnce(url: URL, init: { method: string; headers: Record<string, string>; body?: string }, limits: AttemptLimits, mayReuse: boolean): Promise<AttemptResult> {
  const started = Date.now();
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve) => {
    let connected = false;
    let answered = false;
    let settled = false;
    let phase: NodeJS.Timeout | undefined;
    const finish = (result: AttemptResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(phase);
      clearTimeout(total);
      if (result.kind === "failed") req.destroy();
      resolve(result);
    };
    const fail = (failure: "ct" | "rt", error: string) => finish({ kind: "failed", failure, error });
    const arm = (ms: number, failure: "ct" | "rt", error: string) => {
      clearTimeout(phase);
      phase = setTimeout(() => fail(failure, error), ms);
    };
    const total = setTimeout(() => fail(connected ? "rt" : "ct", "total timeout"), limits.remainingMs);
    const req = client.request(
      url,
      {
        method: init.method,
        headers: init.body === undefined ? init.headers : { ...init.headers, "Content-Length": String(Buffer.byteLength(init.body)) },
        agent: mayReuse ? agents[url.protocol as keyof typeof agents] : false,
      },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        arm(limits.readTimeoutMs, "rt", "read timeout");
        res.on("data", (chunk: Buffer) => {
          chunks.push(chunk);
          arm(limits.readTimeoutMs, "rt", "read timeout");
        });
        res.on("end", () =>
          finish({ kind: "answer", status: res.statusCode ?? 0, contentType: String(res.headers["content-type"] ?? ""), body: Buffer.concat(chunks).toString("utf8") }),
        );
        res.on("error", (err) => fail("rt", err.message));
      },
    );
    req.on("socket", (socket) => {
      const opened = () => {
        connected = true;
        arm(limits.readTimeoutMs, "rt", "read timeout");
      };
      if (socket.connecting) {
        arm(limits.connectTimeoutMs, "ct", "connect timeout");
        socket.once("connect", opened);
      } else opened();
    });
    req.on("error", (err: NodeJS.ErrnoException) => {
      // A pooled connection the server had already closed is no failure of the webhook: a new one is.
      if (req.reusedSocket && !answered && mayReuse && !settled && (err.code === "ECONNRESET" || err.code === "EPIPE")) {
        settled = true;
        clearTimeout(phase);
        clearTimeout(total);
        const left = limits.remainingMs - (Date.now() - started);
        resolve(attemptOnce(url, init, { ...limits, remainingMs: Math.max(1, left) }, false));
        return;
      }
      fail(connected ? "rt" : "ct", err.message);
    });
    req.end(init.body);
  });
}
