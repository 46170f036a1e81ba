import Fastify from "fastify";
import formbody from "@fastify/formbody";
import twilio from "twilio";
import type RequestClient from "twilio/lib/base/RequestClient.js";

type RequestOptions<T> = RequestClient.RequestOptions<T>;
import { ManualClock } from "../../src/clock.js";
import { Carrier, type CarrierOptions } from "../../src/carrier/index.js";

export const ACCOUNT_SID = "AC" + "0123456789abcdef".repeat(2);
export const AUTH_TOKEN = "test-auth-token";
export const HOTLINE = "+6621234567";

export interface Recorded {
  method: string;
  path: string;
  params: Record<string, string>;
  signatureValid: boolean;
  /** The request target exactly as it arrived (path and query). */
  rawUrl: string;
}

type Answer = string | { status?: number; body?: string; type?: string };
type Handler = (params: Record<string, string>) => Answer;

/**
 * A tiny app playing the hotline server: tests script what each path answers and read what the
 * carrier sent (and whether Twilio's signature check accepts it).
 */
export async function startFakeServer() {
  const app = Fastify();
  await app.register(formbody);
  const handlers = new Map<string, Handler>();
  const requests: Recorded[] = [];
  let base = "";
  app.all("/*", async (req, reply) => {
    const path = req.url.split("?")[0] ?? req.url;
    const params = (req.method === "POST" ? req.body : req.query) as Record<string, string>;
    const url = base + req.url;
    const signature = String(req.headers["x-twilio-signature"] ?? "");
    const signatureValid = twilio.validateRequest(AUTH_TOKEN, signature, url, req.method === "POST" ? params : {});
    requests.push({ method: req.method, path, params: { ...params }, signatureValid, rawUrl: req.raw.url ?? "" });
    const handler = handlers.get(path);
    const answer = handler ? handler(params) : "<Response/>";
    const a = typeof answer === "string" ? { body: answer } : answer;
    return reply.code(a.status ?? 200).type(a.type ?? "text/xml").send(a.body ?? "");
  });
  base = (await app.listen({ port: 0, host: "127.0.0.1" })).replace("[::1]", "localhost");
  return {
    base,
    requests,
    on(path: string, handler: Handler | Answer) {
      handlers.set(path, typeof handler === "function" ? handler : () => handler);
    },
    to(path: string): Recorded[] {
      return requests.filter((r) => r.path === path);
    },
    close: () => app.close(),
  };
}

/** The official client, pointed at the carrier by rewriting Twilio's API origin. */
export function twilioClientFor(origin: string) {
  class LocalRequestClient extends twilio.RequestClient {
    override request<T>(opts: RequestOptions<T>) {
      return super.request<T>({ ...opts, uri: opts.uri.replace("https://api.twilio.com", origin) });
    }
  }
  return twilio(ACCOUNT_SID, AUTH_TOKEN, { httpClient: new LocalRequestClient() });
}

export async function startHarness(extra: Partial<CarrierOptions> = {}) {
  const server = await startFakeServer();
  const clock = new ManualClock();
  const carrier = new Carrier({
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    voiceUrl: `${server.base}/voice`,
    statusCallbackUrl: `${server.base}/status`,
    hotlineNumber: HOTLINE,
    clock,
    ...extra,
  });
  const origin = await carrier.listen({ port: 0, host: "127.0.0.1" });
  const client = twilioClientFor(origin);
  return {
    server,
    clock,
    carrier,
    origin,
    client,
    /** Lets everything settle, then moves the clock and settles again. */
    async advance(ms: number) {
      await carrier.idle();
      await clock.advance(ms);
      await carrier.idle();
    },
    async close() {
      await carrier.close();
      await server.close();
    },
  };
}

export type Harness = Awaited<ReturnType<typeof startHarness>>;

export const twiml = (inner: string) => `<?xml version="1.0" encoding="UTF-8"?><Response>${inner}</Response>`;
