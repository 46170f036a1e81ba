import { existsSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";

/** Debian's Chromium: playwright-core drives it; no browser is downloaded (CI installs the package). */
export const CHROMIUM = "/usr/bin/chromium";
export const SCREENSHOTS = fileURLToPath(new URL("../../test-results/screenshots/", import.meta.url));

/**
 * A headless Chromium with nothing that reaches the internet on its own. Playwright gives every launch a
 * fresh temporary profile (it refuses --user-data-dir with launch()), removed again on close.
 */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`browser tests need Chromium at ${CHROMIUM} (apt-get install chromium)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export interface OpenPage {
  page: Page;
  /** Script errors and console errors (CSP refusals show up there): a test expects none. */
  problems: string[];
}

/** A page in its own context, so each gets its own sessionStorage (its own signed-in person). */
export async function openPage(browser: Browser, url: string, opts: { clockAt?: number } = {}): Promise<OpenPage> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: "th-TH", timezoneId: "Asia/Bangkok" });
  // Fail a wait well inside the test's own timeout, so the report names the element that never came.
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()} (${m.location().url})`);
  });
  // Remembers the page's WebSockets so a test can cut one, as a network drop would.
  await page.addInitScript(() => {
    const Native = window.WebSocket;
    const sockets: WebSocket[] = [];
    Object.assign(window, { __sockets: sockets });
    window.WebSocket = class extends Native {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        sockets.push(this);
      }
    };
  });
  if (opts.clockAt !== undefined) {
    // The page's clock stands still unless the test moves it, in step with the server's ManualClock.
    await page.clock.install({ time: opts.clockAt });
    await page.clock.pauseAt(opts.clockAt + 1000);
  }
  await page.goto(url);
  return { page, problems };
}

/** Cuts the page's live connection from the client side; the page sees it as a drop and reconnects. */
export async function dropConnection(page: Page): Promise<void> {
  await page.evaluate(() => (window as unknown as { __sockets: WebSocket[] }).__sockets.at(-1)?.close(4000, "test: connection dropped"));
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = `${SCREENSHOTS}${name}`;
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Signs in on a page's sign-in form (the wallboard, the admin and recordings pages, the agent desktop). */
export async function signIn(page: Page, token: string): Promise<void> {
  await page.getByLabel("รหัสเข้าใช้งาน · Access token").fill(token);
  await page.getByRole("button", { name: "เข้าสู่ระบบ · Sign in" }).click();
}
