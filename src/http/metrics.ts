import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fastifyMetrics from "fastify-metrics";
import client from "prom-client";
import type { RealtimeHub } from "../realtime/hub.js";
import type { Services } from "../services.js";
import { bearerToken } from "./auth.js";
import { HttpError } from "./errors.js";

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest();

/** Compared as hashes, so neither the length nor the bytes of the token leak through timing. */
function checkToken(expected: string) {
  const want = sha256(expected);
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    const given = bearerToken(request.headers.authorization);
    if (!given || !timingSafeEqual(sha256(given), want)) throw new HttpError(401, "unauthorized", "send the METRICS_TOKEN as Authorization: Bearer <token>");
  };
}

const statusClass = (status: number) => `${Math.floor(status / 100)}xx`;

/** fastify-metrics' default: these are not timed. */
const UNTIMED_METHODS = new Set(["HEAD", "OPTIONS", "TRACE", "CONNECT"]);

/**
 * GET /metrics for Prometheus, only when METRICS_TOKEN is set. Registered before the routes (fastify-metrics
 * learns them as they are added) and on the default prom-client registry, the only one: a process runs one
 * hotline. Labels carry route patterns, states and language codes, never a URL, a CallSid or a number.
 */
export async function metricsPlugin(app: FastifyInstance, s: Services, hub: RealtimeHub): Promise<void> {
  const token = s.config.METRICS_TOKEN;
  if (!token) return;
  // fastify-metrics gives the process's default metrics and the endpoint; the per-route histogram it would
  // keep (an onRequest timer in a WeakMap and an onResponse hook of its own) is observed below instead, in
  // the one hook that also counts the webhooks, on Fastify's own clock (reply.elapsedTime).
  // A CommonJS module whose plugin is its `default` export: Node's ESM import hands over the whole module.
  await app.register(fastifyMetrics.default, {
    promClient: client,
    // A test process builds many hotlines: each new one starts from an empty registry.
    clearRegisterOnInit: true,
    defaultMetrics: { enabled: true },
    routeMetrics: { enabled: false },
    endpoint: {
      url: "/metrics",
      method: "GET",
      logLevel: "warn",
      exposeHeadRoute: false,
      onRequest: checkToken(token),
      schema: { summary: "Prometheus metrics (text format)", description: "Bearer METRICS_TOKEN.", security: [{ metricsToken: [] }] },
      handler: () => undefined,
    },
  });

  // The series fastify-metrics' route histogram had (name, labels, default buckets): by route pattern
  // (request.routeOptions.url), only for the routes added from here on; unknown URLs are not recorded at all.
  const durations = new client.Histogram({
    name: "http_request_duration_seconds",
    help: "request duration in seconds",
    labelNames: ["method", "route", "status_code"],
  });
  const routes = new Map<string, Set<string>>();
  app.addHook("onRoute", (route) => {
    if (route.url === "/metrics") return;
    for (const method of [route.method].flat()) {
      if (UNTIMED_METHODS.has(method)) continue;
      let urls = routes.get(method);
      if (!urls) routes.set(method, (urls = new Set()));
      urls.add(route.url);
    }
  });
  const webhooks = new client.Counter({
    name: "hotline_webhooks_total",
    help: "Twilio webhooks answered, by route pattern and status class (403: bad signature, 400: malformed)",
    labelNames: ["route", "status_class"],
  });
  const apologies = new client.Counter({
    name: "hotline_twiml_apologies_total",
    help: "Webhooks that failed inside the server and answered the caller with the apology TwiML, by route pattern",
    labelNames: ["route"],
  });
  app.addHook("onResponse", (request, reply, done) => {
    const route = request.routeOptions.url;
    if (routes.get(request.method)?.has(route ?? request.url)) {
      durations.observe({ method: request.method, route: route ?? "__unknown__", status_code: reply.statusCode }, reply.elapsedTime / 1000);
    }
    if (route?.startsWith("/twilio/")) {
      webhooks.inc({ route, status_class: statusClass(reply.statusCode) });
      if (request.apologised) apologies.inc({ route });
    }
    done();
  });

  // Every gauge below reads one snapshot of the live figures per scrape: prom-client starts all the collect
  // functions in the same turn of the event loop, so they share one read, dropped once that turn is over.
  let snapshot: ReturnType<Services["figures"]> | undefined;
  const figures = () => {
    if (!snapshot) {
      snapshot = s.figures();
      queueMicrotask(() => (snapshot = undefined));
    }
    return snapshot;
  };
  const gauge = (name: string, help: string, labelNames: string[], collect: (g: client.Gauge) => void | Promise<void>) =>
    new client.Gauge({
      name,
      help,
      labelNames,
      async collect() {
        await collect(this);
      },
    });
  gauge("hotline_lines_capacity", "Lines the hotline may use at once", [], async (g) => g.set((await figures()).lines.capacity));
  gauge("hotline_lines_in_use", "Lines in use now", [], async (g) => g.set((await figures()).lines.inUse));
  gauge("hotline_queue_waiting", "Callers waiting for an agent, by language", ["language"], async (g) => {
    for (const [language, n] of Object.entries((await figures()).queue.byLanguage)) g.set({ language }, n);
  });
  gauge("hotline_queue_longest_wait_seconds", "How long the caller waiting longest has waited", [], async (g) => g.set((await figures()).queue.longestWaitSeconds));
  gauge("hotline_agents", "Agents by state", ["state"], async (g) => {
    for (const [state, n] of Object.entries((await figures()).agents)) g.set({ state }, n);
  });
  gauge("hotline_callbacks_open", "Callback items not yet worked to an end (open or claimed)", [], async (g) => g.set((await figures()).callbacks.open));
  gauge("hotline_callbacks_overdue", "Callback items past their due time", [], async (g) => g.set((await figures()).callbacks.overdue));
  gauge("hotline_callbacks_oldest_age_seconds", "Age of the oldest open callback item", [], async (g) => g.set((await figures()).callbacks.oldestAgeSeconds));
  gauge("hotline_websocket_connections", "Signed-in WebSocket connections (desktops, wallboards), by role", ["role"], (g) => {
    for (const [role, n] of Object.entries(hub.countByRole())) g.set({ role }, n);
  });
}
