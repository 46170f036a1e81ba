import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { refusedStart, STAND_IN_ACCOUNT } from "../support/child-server.js";
import { freePort } from "../support/free-port.js";

// The real entry point (npm start) asked for PostgreSQL, which this version cannot run on yet.

const dir = mkdtempSync(join(tmpdir(), "database-url-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("DATABASE_URL before PostgreSQL storage exists", () => {
  it("stops the server at start with one message, before any SQLite file is made", async () => {
    const port = await freePort();
    const dbFile = join(dir, "hotline.db");
    const { code, stderr } = await refusedStart({
      PORT: String(port),
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      // A Twilio account (a stand-in's): no built-in carrier starts beside the server.
      TELEPHONY: "twilio",
      TWILIO_ACCOUNT_SID: STAND_IN_ACCOUNT.accountSid,
      TWILIO_AUTH_TOKEN: STAND_IN_ACCOUNT.authToken,
      DB_FILE: dbFile,
      DATABASE_URL: "postgres://hotline:secret@127.0.0.1:9/hotline",
    });
    expect(code).toBe(1);
    expect(stderr.trim().split("\n")).toEqual([
      "DATABASE_URL is set, but PostgreSQL storage is not available in this version: unset it to run on SQLite (DB_FILE)",
    ]);
    expect(existsSync(dbFile)).toBe(false);
  });
});
