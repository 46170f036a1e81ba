import { readFileSync } from "node:fs";
import { projectPath } from "../project-files.js";
import type { FastifyInstance, HTTPMethods } from "fastify";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import { jsonSchemaTransform } from "fastify-type-provider-zod";
import { z } from "zod";
import { clientMessageSchema, serverMessageSchema } from "../realtime/messages.js";

const FAVICON = projectPath("web", "favicon.svg");

/** The WebSocket's messages as JSON Schema, from the zod schemas the server and the pages use. */
export function webSocketSchemas() {
  const options = { unrepresentable: "any", target: "draft-2020-12" } as const;
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: "WebSocket GET /ws: one JSON object per message, discriminated by type",
    $defs: {
      clientMessage: z.toJSONSchema(clientMessageSchema, { ...options, io: "input" }),
      serverMessage: z.toJSONSchema(serverMessageSchema, { ...options, io: "output" }),
    },
  };
}

declare module "fastify" {
  interface FastifyInstance {
    /** Every route as registered (HEAD routes fastify adds aside), and whether it is kept out of /docs. */
    routeTable: Array<{ method: HTTPMethods; url: string; hidden: boolean }>;
  }
}

const WS_DESCRIPTION =
  "The live socket of the agent desktop and the wallboard. Authenticate with `Authorization: Bearer <token>` on the upgrade " +
  "or a first message `{\"type\":\"auth\",\"token\":\"…\"}`; without it the socket closes with 4401. Messages are one JSON " +
  "object each, with a `type`: see the schemas WebSocketClientMessage and WebSocketServerMessage, or [/docs/ws.json](/docs/ws.json).";

/** Where a route belongs in /docs, by its path: one tag per API area, Twilio's webhooks apart. */
function tagOf(url: string): string {
  if (url.startsWith("/twilio/")) return "twilio webhooks";
  const area = /^\/api\/([a-z-]+)/.exec(url)?.[1];
  if (area) return area;
  return url === "/health" || url === "/metrics" || url === "/ws" ? "service" : "pages";
}

/**
 * Swagger UI runs its bundle from /docs/static and sets inline styles (React), so the docs get a policy
 * of their own; every other page keeps the strict one of page-routes.ts. Nothing is loaded from elsewhere.
 */
const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/**
 * The OpenAPI 3 description, generated from the zod schemas the routes declare, at /docs (UI) and
 * /docs/json; the WebSocket messages at /docs/ws.json. Registered before the routes: @fastify/swagger
 * collects them as they are added.
 */
export async function apiDocs(app: FastifyInstance): Promise<void> {
  const routeTable: FastifyInstance["routeTable"] = [];
  app.decorate("routeTable", routeTable);
  app.addHook("onRoute", (route) => {
    for (const method of [route.method].flat()) {
      if (method !== "HEAD") routeTable.push({ method, url: route.url, hidden: Boolean((route.schema as { hide?: boolean } | undefined)?.hide) });
    }
  });
  const version = (JSON.parse(readFileSync(projectPath("package.json"), "utf8")) as { version: string }).version;
  await app.register(swagger, {
    openapi: {
      openapi: "3.0.3",
      info: {
        title: "1300 hotline",
        version,
        description: [
          "JSON API: `Authorization: Bearer <token>` (roles admin, supervisor, agent); errors are `{\"error\": \"<code>\", \"message\": \"<human text>\"}`.",
          "",
          "**Twilio webhooks** (`/twilio/*`) are `application/x-www-form-urlencoded` posts signed with `X-Twilio-Signature`",
          "(HMAC-SHA1 with the auth token over PUBLIC_BASE_URL + path + query and the sorted parameters); unsigned: 403,",
          "malformed: 400; the answer is TwiML (`text/xml`).",
          "",
          "**WebSocket** `GET /ws`: the messages, as JSON Schema: [/docs/ws.json](/docs/ws.json) (also under components below).",
        ].join("\n"),
      },
      components: {
        securitySchemes: {
          bearer: { type: "http", scheme: "bearer", description: "a user's token (admin, supervisor or agent)" },
          metricsToken: { type: "http", scheme: "bearer", description: "METRICS_TOKEN" },
          twilioSignature: { type: "apiKey", in: "header", name: "X-Twilio-Signature" },
        },
      },
    },
    transform(route) {
      // @fastify/websocket hides its routes; the socket is part of the API, so /ws is described here.
      if (route.route.websocket) return { schema: { tags: [tagOf(route.url)], summary: "WebSocket (upgrade)", description: WS_DESCRIPTION }, url: route.url };
      const { schema, url } = jsonSchemaTransform(route);
      const documented = (schema ?? {}) as Record<string, unknown>;
      if (documented.hide) return { schema: documented, url };
      const tag = tagOf(url);
      documented.tags ??= [tag];
      if (url.startsWith("/api/")) documented.security ??= [{ bearer: [] }];
      if (tag === "twilio webhooks") {
        documented.security ??= [{ twilioSignature: [] }];
        documented.consumes ??= ["application/x-www-form-urlencoded"];
      }
      return { schema: documented, url };
    },
    transformObject(documents) {
      const spec = (documents as { openapiObject: Record<string, any> }).openapiObject;
      const ws = webSocketSchemas().$defs;
      spec.components.schemas = { ...spec.components.schemas, WebSocketClientMessage: ws.clientMessage, WebSocketServerMessage: ws.serverMessage };
      return spec;
    },
  });
  await app.register(swaggerUi, {
    routePrefix: "/docs",
    staticCSP: DOCS_CSP,
    uiConfig: { docExpansion: "list", deepLinking: true },
    theme: {
      title: "1300 hotline API",
      favicon: [{ filename: "favicon.svg", rel: "icon", sizes: "any", type: "image/svg+xml", content: readFileSync(FAVICON) }],
    },
  });
  const wsSchemas = JSON.stringify(webSocketSchemas());
  app.get("/docs/ws.json", { schema: { hide: true } }, async (_request, reply) => reply.type("application/json").send(wsSchemas));
}
