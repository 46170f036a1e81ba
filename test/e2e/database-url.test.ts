import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { refusedStart, STAND_IN_ACCOUNT } from "../support/child-server.js";
import { freePort } from "../support/free-port.js";

// The real entry point (npm start) asked for PostgreSQL at a DATABASE_URL where no database answers.

const dir = mkdtempSync(join(tmpdir(), "database-url-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a DATABASE_URL that cannot be reached", () => {
  it("stops the server at start with one message, makes no SQLite file, and never shows the URL's password", async () => {
    const port = await freePort();
    const dbFile = join(dir, "hotline.db");
    const password = "pw-that-must-not-show-7f3a";
    const { code, stderr } = await refusedStart({
      PORT: String(port),
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      // A Twilio account (a stand-in's): no built-in carrier starts beside the server.
      TELEPHONY: "twilio",
      TWILIO_ACCOUNT_SID: STAND_IN_ACCOUNT.accountSid,
      TWILIO_AUTH_TOKEN: STAND_IN_ACCOUNT.authToken,
      DB_FILE: dbFile,
      // Port 9 (discard) on loopback: nothing listens, the connection is refused.
      DATABASE_URL: `postgres://hotline:${password}@127.0.0.1:9/hotline`,
    });
    expect(code).toBe(1);
    const lines = stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^cannot open the PostgreSQL database at DATABASE_URL: \S/);
    expect(stderr).not.toContain(password);
    // SQLite is not a fallback: asked for PostgreSQL, the server makes no database of its own.
    expect(existsSync(dbFile)).toBe(false);
  });
});
