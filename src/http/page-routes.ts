import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { FastifyInstance, FastifyReply } from "fastify";
import { LANGUAGE_NAMES, LANGUAGES } from "../languages.js";
import { clientMessageSchema } from "../realtime/messages.js";
import type { Services } from "../services.js";

const WEB = fileURLToPath(new URL("../../web/", import.meta.url));

/** The codes the pages offer (wrap-up choices, languages) come from the server's own schemas. */
function pageConstants() {
  for (const option of clientMessageSchema.options) {
    const shape = option.shape;
    if ("outcome" in shape) {
      return {
        languages: LANGUAGES.map((code) => ({ code, name: LANGUAGE_NAMES[code] })),
        outcomes: shape.outcome.options,
        topics: shape.topic.unwrap().options,
      };
    }
  }
  throw new Error("the disposition message lost its outcome field");
}

const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;

/**
 * The pages keep their own code inline; the policy admits exactly those blocks (by hash) and
 * same-origin files, so injected markup in a caller's note could never run script.
 */
function contentSecurityPolicy(html: string): string {
  const blocks = (pattern: RegExp) => [...html.matchAll(pattern)].map((m) => sha256(m[1] ?? ""));
  const scripts = blocks(/<script(?: type="module")?>([\s\S]*?)<\/script>/g);
  const styles = blocks(/<style>([\s\S]*?)<\/style>/g);
  return [
    "default-src 'none'",
    `script-src 'self' ${scripts.join(" ")}`,
    `style-src ${styles.join(" ") || "'none'"}`,
    "connect-src 'self'",
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

/** The agent desktop and the wallboard: static files, read per request so an edit shows on reload. */
export function pageRoutes(app: FastifyInstance, _s: Services): void {
  const constants = JSON.stringify(pageConstants());
  const page = (url: string, file: string) =>
    app.get(url, async (_request, reply) => {
      const html = await readFile(`${WEB}${file}`, "utf8");
      return privateHeaders(reply).header("content-security-policy", contentSecurityPolicy(html)).type("text/html; charset=utf-8").send(html);
    });
  page("/agent", "agent.html");
  page("/wallboard", "wallboard.html");

  app.get("/web/shared.js", async (_request, reply) =>
    privateHeaders(reply).type("text/javascript; charset=utf-8").send(await readFile(`${WEB}shared.js`, "utf8")),
  );
  app.get("/web/constants.json", async (_request, reply) => privateHeaders(reply).type("application/json").send(constants));
}
