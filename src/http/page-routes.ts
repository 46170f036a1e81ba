import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, resolve, sep } from "node:path";
import { build, type Plugin } from "esbuild";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { AGENCY_TYPE_LABELS, AGENCY_TYPES } from "../cases/agency-types.js";
import { SHIPPED_CATEGORIES } from "../cases/case-categories.js";
import { PERSON_ROLES, SEXES, URGENCIES } from "../cases/case-schemas.js";
import { PROVINCES } from "../cases/provinces.js";
import { LANGUAGE_NAMES, LANGUAGES } from "../languages.js";
import { clientMessageSchema } from "../realtime/messages.js";
import type { Services } from "../services.js";
import { notFound } from "./errors.js";
import { projectPath } from "../project-files.js";

const ROOT = projectPath();
// With its separator: file names are appended to it, and a resolved path must start with it.
const WEB = projectPath("web") + sep;
const MESSAGES = projectPath("src", "realtime", "messages.ts");
const TIME_BUCKETS = projectPath("src", "reports", "time-buckets.ts");

/** The codes the pages offer (wrap-up choices, languages, case fields) come from the server's own schemas. */
function pageConstants(s: Services) {
  const disposition = clientMessageSchema.options.find((o) => "outcome" in o.shape)?.shape;
  if (!disposition || !("outcome" in disposition)) throw new Error("the disposition message lost its outcome field");
  return {
    languages: LANGUAGES.map((code) => ({ code, name: LANGUAGE_NAMES[code] })),
    outcomes: disposition.outcome.options,
    topics: disposition.topic.unwrap().options,
    provinces: PROVINCES.map((p) => ({ code: p.code, th: p.nameTh, en: p.nameEn })),
    agencyTypes: AGENCY_TYPES.map((code) => ({ code, ...AGENCY_TYPE_LABELS[code] })),
    /** The shipped list; the page asks /api/case-categories for the hotline's current one. */
    caseCategories: SHIPPED_CATEGORIES.map((c) => ({ code: c.code, th: c.nameTh, en: c.nameEn })),
    urgencies: URGENCIES,
    personRoles: PERSON_ROLES,
    sexes: SEXES,
    /** The hotline's hours and days (TIMEZONE): the reports page picks its periods in them. */
    timeZone: s.config.TIMEZONE,
  };
}

const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;

/**
 * Twilio's Voice SDK, when the agent desktop runs a browser phone: its signalling socket and call-quality
 * reports go to *.twilio.com, and its ring tones are fetched from sdk.twilio.com (not shipped in the package).
 */
const TWILIO_VOICE = { connect: ["wss://*.twilio.com", "https://*.twilio.com"], media: ["https://sdk.twilio.com"] };

/**
 * The pages' code lives in same-origin files, never inline, so injected markup in a caller's note could
 * never run script; their inline <style> blocks are admitted by hash.
 */
function contentSecurityPolicy(html: string, extra: { connect?: string[]; media?: string[] } = {}): string {
  const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => sha256(m[1] ?? ""));
  return [
    "default-src 'none'",
    "script-src 'self'",
    `style-src ${styles.join(" ") || "'none'"}`,
    ["connect-src 'self'", ...(extra.connect ?? [])].join(" "),
    ...(extra.media ? [["media-src 'self'", ...extra.media].join(" ")] : []),
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** Calls about abuse are on these screens: nothing cached, nothing leaked to other sites. */
function privateHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header("cache-control", "no-store")
    .header("referrer-policy", "no-referrer")
    .header("x-content-type-options", "nosniff");
}

/**
 * Page code holds no caller's data, so a browser may keep it, but asks each time (ETag) whether it changed:
 * after an upgrade the pages and their message schemas never run a stale copy.
 */
function sendScript(request: FastifyRequest, reply: FastifyReply, code: string): FastifyReply {
  const etag = `"${createHash("sha256").update(code, "utf8").digest("base64url").slice(0, 27)}"`;
  reply.header("cache-control", "no-cache").header("etag", etag).header("referrer-policy", "no-referrer").header("x-content-type-options", "nosniff");
  if (request.headers["if-none-match"] === etag) return reply.status(304).send();
  return reply.type("text/javascript; charset=utf-8").send(code);
}

/** A path below /web/ that names page code: lowercase names with dashes, in folders, ending in .js. */
const SCRIPT_PATH = /^(?:[a-z0-9-]+\/)*[a-z0-9-]+\.js$/;

/**
 * zod compiles parsers with `new Function` unless told not to, and even its probe for that is a CSP
 * violation on the pages (no 'unsafe-eval'); this module, bundled first, turns it off.
 */
const ZOD_JITLESS: Plugin = {
  name: "zod-jitless",
  setup(b) {
    b.onResolve({ filter: /^zod-jitless$/ }, (args) => ({ path: args.path, namespace: "zod-jitless" }));
    b.onLoad({ filter: /.*/, namespace: "zod-jitless" }, () => ({ contents: 'import { config } from "zod"; config({ jitless: true });', resolveDir: ROOT }));
  },
};

/** An ES module for the pages, bundled from the server's own code or an installed package; built once. */
function bundleModule(contents: string, sourcefile: string, plugins: Plugin[] = []): Promise<string> {
  return build({
    stdin: { contents, resolveDir: ROOT, sourcefile },
    plugins,
    bundle: true,
    format: "esm",
    platform: "browser",
    minify: true,
    write: false,
    logLevel: "silent",
  }).then((result) => {
    const [file] = result.outputFiles;
    if (!file) throw new Error("esbuild wrote no bundle");
    return file.text;
  });
}

/** The WebSocket message schemas for the pages, built from src/realtime/messages.ts: the server's own. */
let messagesBundle: Promise<string> | undefined;
function bundleMessages(): Promise<string> {
  messagesBundle ??= bundleModule(
    `import "zod-jitless"; export { serverMessageSchema, clientMessageSchema } from ${JSON.stringify(MESSAGES)};`,
    "web-messages.js",
    [ZOD_JITLESS],
  );
  return messagesBundle;
}

/**
 * The reports page's two borrowed modules, built on first use: Chart.js (MIT; it draws on a canvas and sets
 * styles through the DOM only, which the strict policy allows), and the hours and days of the hotline's zone
 * as the reports compute them (src/reports/time-buckets.ts), so the page's periods are the API's.
 */
const lazyBundles: Record<string, { contents: string; built?: Promise<string> }> = {
  "/web/vendor/chart.js": { contents: 'export { Chart, registerables } from "chart.js";' },
  "/web/time-buckets.js": { contents: `export { startOf, nextStart, localIso, zoneOffset } from ${JSON.stringify(TIME_BUCKETS)};` },
};
function lazyBundle(url: string): Promise<string> {
  const entry = lazyBundles[url]!;
  entry.built ??= bundleModule(entry.contents, url.slice(1)).catch((err: unknown) => {
    entry.built = undefined;
    throw err;
  });
  return entry.built;
}

/** The SDK's browser bundle (it defines window.Twilio); undefined when the package is not installed. */
function twilioVoiceBundle(): string | undefined {
  try {
    const main = createRequire(import.meta.url).resolve("@twilio/voice-sdk");
    return join(dirname(main), "..", "dist", "twilio.min.js");
  } catch {
    return undefined;
  }
}

/** The agent desktop, the wallboard, the admin and reports pages: static files, read per request so an edit shows on reload. */
export function pageRoutes(app: FastifyInstance, s: Services): void {
  const constants = JSON.stringify(pageConstants(s));
  // Built once per process, at start; a failure is logged here and answered as a 500 to each page that asks.
  const messages = bundleMessages();
  messages.catch((err: unknown) => app.log.error({ err }, "could not bundle the WebSocket message schemas for the pages"));
  const page = (url: string, file: string, extra?: Parameters<typeof contentSecurityPolicy>[1]) =>
    app.get(url, async (_request, reply) => {
      const html = await readFile(`${WEB}${file}`, "utf8");
      return privateHeaders(reply).header("content-security-policy", contentSecurityPolicy(html, extra)).type("text/html; charset=utf-8").send(html);
    });
  // The pages' icon; the carrier's test-call page and /docs serve the same file.
  const favicon = readFile(`${WEB}favicon.svg`);
  app.get("/favicon.svg", async (_request, reply) =>
    reply.header("cache-control", "public, max-age=86400").header("x-content-type-options", "nosniff").type("image/svg+xml").send(await favicon),
  );
  page("/agent", "agent.html", TWILIO_VOICE);
  page("/wallboard", "wallboard.html");
  page("/admin", "admin.html");
  // Drafts are fetched with the token and played from blob: URLs.
  page("/recordings", "recordings.html", { media: ["blob:"] });
  page("/reports", "reports.html");

  app.get("/web/constants.json", async (_request, reply) => privateHeaders(reply).type("application/json").send(constants));
  app.get("/web/messages.js", async (request, reply) => sendScript(request, reply, await messages));
  for (const url of Object.keys(lazyBundles)) app.get(url, async (request, reply) => sendScript(request, reply, await lazyBundle(url)));
  // The pages' modules: only .js files under web/, by a pattern that admits no "..", dot-file or backslash.
  app.get<{ Params: { "*": string } }>("/web/*", async (request, reply) => {
    const path = request.params["*"];
    const file = resolve(WEB, path);
    if (!SCRIPT_PATH.test(path) || !file.startsWith(WEB)) throw notFound("page file");
    const code = await readFile(file, "utf8").catch(() => undefined);
    if (code === undefined) throw notFound("page file");
    return sendScript(request, reply, code);
  });

  // Served from this origin so the desktop loads nothing from a CDN; read once, it only changes with an upgrade.
  const bundlePath = twilioVoiceBundle();
  let bundle: Promise<string> | undefined;
  app.get("/web/twilio-voice.min.js", async (_request, reply) => {
    if (!bundlePath) return reply.status(404).send({ error: "not_found", message: "the Twilio Voice SDK is not installed on this server" });
    bundle ??= readFile(bundlePath, "utf8");
    const code = await bundle.catch((err: unknown) => {
      bundle = undefined;
      throw err;
    });
    return reply.header("cache-control", "public, max-age=86400").header("x-content-type-options", "nosniff").type("text/javascript; charset=utf-8").send(code);
  });
}
