import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHotline, TEST_ADMIN_TOKEN, type Running } from "../support/hotline-fixture.js";

let h: Running;
beforeAll(async () => {
  // With METRICS_TOKEN, so /metrics is among the routes to describe.
  h = await startHotline({ METRICS_TOKEN: "metrics-token-0123456789" });
});
afterAll(async () => h.stop());

/** Routes deliberately left out of the description: the docs themselves and the public recordings. */
const UNDOCUMENTED = [/^\/docs(\/|$)/, /^\/audio\/\*$/];

const get = (url: string) => h.hotline.app.inject({ method: "GET", url });
const openapiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, "{$1}").replace(/\*$/, "{*}");

describe("the API description at /docs", () => {
  it("describes every route the server serves, with the method it answers", async () => {
    const spec = JSON.parse((await get("/docs/json")).body) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(spec.openapi).toMatch(/^3\./);
    const routes = h.hotline.app.routeTable;
    expect(routes.length).toBeGreaterThan(40);
    const missing = routes
      .filter((r) => !UNDOCUMENTED.some((p) => p.test(r.url)))
      .filter((r) => !spec.paths[openapiPath(r.url)]?.[r.method.toLowerCase()])
      .map((r) => `${r.method} ${r.url}`);
    expect(missing).toEqual([]);
    // Hiding a route is no way around this test: only the listed ones may be hidden.
    const hidden = routes.filter((r) => r.hidden && !UNDOCUMENTED.some((p) => p.test(r.url))).map((r) => `${r.method} ${r.url}`);
    expect(hidden).toEqual([]);
  });

  it("gives the routes' zod schemas: bodies, queries and path parameters, Twilio's form posts under their own tag", async () => {
    const spec = JSON.parse((await get("/docs/json")).body);
    const agents = spec.paths["/api/agents"].post;
    expect(agents.tags).toEqual(["agents"]);
    expect(agents.security).toEqual([{ bearer: [] }]);
    const body = agents.requestBody.content["application/json"].schema;
    expect(body.required).toEqual(expect.arrayContaining(["name", "languages", "endpoint"]));
    expect(body.properties.languages.items.enum).toContain("mfa");
    const callbacks = spec.paths["/api/callbacks"].get.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`);
    expect(callbacks).toEqual(expect.arrayContaining(["query:status", "query:language", "query:overdue", "query:limit"]));
    expect(spec.paths["/api/calls/{callSid}"].get.parameters).toEqual([expect.objectContaining({ in: "path", name: "callSid", required: true })]);
    const voice = spec.paths["/twilio/voice"].post;
    expect(voice.tags).toEqual(["twilio webhooks"]);
    expect(voice.security).toEqual([{ twilioSignature: [] }]);
    expect(voice.requestBody.content["application/x-www-form-urlencoded"].schema.required).toEqual(["CallSid", "AccountSid"]);
    expect(spec.paths["/ws"].get.description).toContain("/docs/ws.json");
  });

  it("documents the WebSocket messages from their zod schemas, at /docs/ws.json and as components", async () => {
    const res = await get("/docs/ws.json");
    expect(res.statusCode).toBe(200);
    const ws = JSON.parse(res.body);
    const types = (schema: { oneOf?: Array<{ properties: { type: { const: string } } }>; anyOf?: Array<{ properties: { type: { const: string } } }> }) =>
      (schema.oneOf ?? schema.anyOf ?? []).map((o) => o.properties.type.const);
    expect(types(ws.$defs.clientMessage)).toEqual(expect.arrayContaining(["auth", "status", "disposition", "ping"]));
    expect(types(ws.$defs.serverMessage)).toEqual(expect.arrayContaining(["hello", "call.offered", "call.connected", "call.ended", "stats", "callbacks"]));
    const spec = JSON.parse((await get("/docs/json")).body);
    expect(Object.keys(spec.components.schemas)).toEqual(expect.arrayContaining(["WebSocketClientMessage", "WebSocketServerMessage"]));
  });

  it("serves the browsable page and Swagger UI from this server, under its own policy; other pages keep theirs", async () => {
    const page = await get("/docs/");
    expect(page.statusCode).toBe(200);
    const csp = String(page.headers["content-security-policy"]);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/https?:/);
    const assets = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets.some((a) => a.endsWith("swagger-ui-bundle.js"))).toBe(true);
    expect(assets.some((a) => a.endsWith("favicon.svg"))).toBe(true);
    for (const asset of assets) {
      expect(asset, "nothing from another origin").not.toMatch(/^(https?:)?\/\//);
      const res = await get(new URL(asset, "http://x/docs/").pathname);
      expect(res.statusCode, asset).toBe(200);
    }
    const wallboard = await get("/wallboard");
    expect(String(wallboard.headers["content-security-policy"])).toContain("style-src 'sha256-");
  });
});

describe("requests checked against the declared schemas", () => {
  it("a malformed body or query still gets 400 bad_request with the reason; a wrong token still gets 401 first", async () => {
    const auth = { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, "content-type": "application/json" };
    const lines = await h.hotline.app.inject({ method: "PUT", url: "/api/settings/lines", headers: auth, payload: JSON.stringify({ lines: "many" }) });
    expect(lines.statusCode).toBe(400);
    expect(JSON.parse(lines.body)).toEqual({ error: "bad_request", message: expect.stringContaining("lines:") });
    const query = await h.hotline.app.inject({ method: "GET", url: "/api/callbacks?status=zzz", headers: auth });
    expect(query.statusCode).toBe(400);
    expect(JSON.parse(query.body)).toMatchObject({ error: "bad_request", message: expect.stringContaining("status") });
    const params = await h.hotline.app.inject({ method: "GET", url: "/api/callbacks/abc", headers: auth });
    expect(params.statusCode).toBe(400);
    const stranger = await h.hotline.app.inject({ method: "PUT", url: "/api/settings/lines", headers: { ...auth, authorization: "Bearer wrong" }, payload: "{}" });
    expect(stranger.statusCode).toBe(401);
  });
});
