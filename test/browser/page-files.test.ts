import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientMessageSchema, serverMessageSchema } from "../../src/realtime/messages.js";
import { launchBrowser, openPage } from "../support/browser.js";
import { startCallCenter, type CallCenter } from "../support/call-center.js";
import { TEST_ADMIN_TOKEN } from "../support/hotline-fixture.js";
import { NOTE_MAX_CHARS } from "../../src/note-length.js";

// What the pages are made of: their modules under /web/, the message schemas bundled from the server's
// own, and a policy that runs nothing else.

let cc: CallCenter;
let browser: Browser;
beforeAll(async () => {
  [cc, browser] = await Promise.all([startCallCenter(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await cc?.stopAll();
});

const get = (url: string, headers: Record<string, string> = {}) => cc.hotline.app.inject({ method: "GET", url, headers });

describe("the pages' files", { timeout: 60_000 }, () => {
  it("serves the pages' modules as JavaScript that browsers revalidate, and nothing else from web/ or beyond it", async () => {
    for (const url of ["/web/agent/main.js", "/web/wallboard/trend.js", "/web/shared.js", "/web/messages.js"]) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.headers["content-type"]).toBe("text/javascript; charset=utf-8");
      expect(res.headers["cache-control"]).toBe("no-cache");
      expect(res.headers["x-content-type-options"]).toBe("nosniff");
      const again = await get(url, { "if-none-match": String(res.headers.etag) });
      expect(again.statusCode, url).toBe(304);
      expect(again.body).toBe("");
    }
    const refused = [
      "/web/../package.json",
      "/web/%2e%2e/package.json",
      "/web/agent/..%2f..%2fpackage.json",
      "/web/%2e%2e%2fsrc%2fserver.ts",
      "/web/agent%5c..%5c..%5cpackage.json",
      "/web/agent.html",
      "/web/phone.html",
      "/web/.hidden.js",
      "/web/agent/Main.js",
      "/web/agent/",
      "/web/%00.js",
      "/web/no-such-file.js",
    ];
    for (const url of refused) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error, url).toBe("not_found");
    }
  });

  it("the desktop and the wallboard run no inline script: their policy admits scripts from this origin only", async () => {
    for (const url of ["/agent", "/wallboard"]) {
      const res = await get(url);
      const policy = String(res.headers["content-security-policy"]);
      expect(policy.split("; ").find((d) => d.startsWith("script-src"))).toBe("script-src 'self'");
      expect(res.body.match(/<script\b[^>]*>/g)?.every((tag) => / src="\/web\//.test(tag))).toBe(true);
    }
  });

  it("ships the server's own message schemas to the browser, which judge messages as the server does, under the strict policy", async () => {
    const { page, problems } = await openPage(browser, `${cc.baseUrl}/wallboard`);
    // Refusals by the policy are events, not always console errors: the page is loaded again, listening.
    await page.addInitScript(() => {
      const seen: string[] = [];
      Object.assign(window, { __violations: seen });
      document.addEventListener("securitypolicyviolation", (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    await page.reload();
    const stats = (await cc.api("GET", "/api/stats")).body;
    const samples = [
      { type: "stats", stats },
      { type: "stats", stats: { ...stats, referrals: { open: -1, overdue: 0 } } },
      { type: "agent.status", status: "on_call" },
      { type: "agent.status", status: "asleep" },
      { type: "transfer.updated", callSid: "CA1", transferId: 1, status: "briefing", mode: "warm" },
      { type: "lines.cut" },
    ];
    const outgoing = [
      { type: "auth", token: TEST_ADMIN_TOKEN },
      { type: "status", status: "break" },
      { type: "status", status: "asleep" },
      { type: "disposition", callSid: "CA1", outcome: "referred", note: "x".repeat(NOTE_MAX_CHARS + 1) },
    ];
    // A string, not a function: the test runner would rewrite a function's import() for Node.
    const judged = (await page.evaluate(`(async () => {
      const schemas = await import("/web/messages.js");
      return {
        server: ${JSON.stringify(samples)}.map((m) => schemas.serverMessageSchema.safeParse(m).success),
        client: ${JSON.stringify(outgoing)}.map((m) => schemas.clientMessageSchema.safeParse(m).success),
        violations: window.__violations,
      };
    })()`)) as { server: boolean[]; client: boolean[]; violations: string[] };
    expect(judged.server).toEqual(samples.map((m) => serverMessageSchema.safeParse(m).success));
    expect(judged.server).toEqual([true, false, true, false, true, false]);
    expect(judged.client).toEqual(outgoing.map((m) => clientMessageSchema.safeParse(m).success));
    expect(judged.client).toEqual([true, true, false, false]);
    // zod's probe for eval would be refused by the policy: the bundle must not even try.
    expect(judged.violations).toEqual([]);
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
