import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";

/** The engine this run of a test file uses: the "postgres" project of vitest.config.ts sets it. */
export const testEngine: "sqlite" | "postgres" = process.env.HOTLINE_TEST_ENGINE === "postgres" ? "postgres" : "sqlite";

/**
 * A fresh, empty database on the project's test cluster (the server migrates it at start). Several
 * instances of the hotline given the same URL share it, as they would in production.
 */
export async function freshPgDatabase(): Promise<string> {
  const admin = inject("pgAdminUrl");
  const name = `hotline_${randomBytes(6).toString("hex")}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The settings that put a server on this run's engine: DATABASE_URL on PostgreSQL, nothing on SQLite. */
export async function engineSettings(): Promise<Record<string, string>> {
  return testEngine === "postgres" ? { DATABASE_URL: await freshPgDatabase() } : {};
}
