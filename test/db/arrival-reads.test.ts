// The reads of a call arrival, on both engines: each one answered from an index, so an arrival costs the
// same with ten thousand calls stored as with a million (issue 16; `npm run bench -- arrival` measures it).
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../db/connection.js";
import { openPgDatabase, type PgDb } from "../../db/pg-connection.js";
import type { Db } from "../../db/storage.js";
import { recentLanguage } from "../../src/calls/call-store.js";
import { countHeldLines, lineUse, linesInUse } from "../../src/lines/line-capacity.js";
import { startPostgres, type TestPostgres } from "../support/postgres.js";

/** The arrival's reads (and the number the figures show), then the count the reconciliation checks it against, run once each. */
async function arrivalReads(db: Db): Promise<void> {
  await lineUse(db);
  await linesInUse(db);
  await recentLanguage(db, "+66812345678", 0);
  await countHeldLines(db);
}

describe("a call arrival's reads", () => {
  it("on SQLite: lines in use from the kept number (no call read), a returning caller's language from calls_from_idx, the check's count from the index of held calls", async () => {
    const db = openDatabase(":memory:");
    const client = db.$client;
    const compile = client.prepare.bind(client);
    const texts = new Set<string>();
    client.prepare = ((source: string) => {
      texts.add(source);
      return compile(source);
    }) as typeof client.prepare;
    await arrivalReads(db as unknown as Db);
    client.prepare = compile;
    const plans = [...texts].map((text) => {
      const params = Array.from({ length: (text.match(/\?/g) ?? []).length }, () => null);
      return (compile(`explain query plan ${text}`).all(...params) as Array<{ detail: string }>).map((r) => r.detail).join("; ");
    });
    expect(plans).toEqual([
      expect.stringMatching(/^(?!.*calls).*lines_held/),
      expect.stringMatching(/^(?!.*calls).*lines_held/),
      expect.stringMatching(/USING INDEX calls_from_idx \(from_e164=\? AND created_at>\?\)/),
      expect.stringContaining("USING COVERING INDEX calls_line_idx"),
    ]);
    expect(plans.join("\n")).not.toMatch(/SCAN calls(?! USING)/);
    client.close();
  });

  describe("on PostgreSQL", () => {
    let server: TestPostgres;
    let db: PgDb;
    beforeAll(async () => {
      server = await startPostgres();
      db = await openPgDatabase(server.url);
    });
    afterAll(async () => {
      await db?.$client.end();
      await server?.stop();
    });

    it("lines in use from the kept number (no call read), a returning caller's language from calls_from_idx, the check's count from the index of held calls", async () => {
      const queries: Array<{ text: string; values: unknown[] }> = [];
      const pool = db.$client as pg.Pool;
      const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
      pool.query = ((config: unknown, values?: unknown) => {
        if (typeof config === "object" && config && "text" in config) {
          const c = config as { text: string; values?: unknown[] };
          queries.push({ text: c.text, values: c.values ?? (values as unknown[] | undefined) ?? [] });
        }
        return query(config, values);
      }) as typeof pool.query;
      await arrivalReads(db as unknown as Db);
      pool.query = query as typeof pool.query;
      // The tables are empty: told to avoid sequential scans, the planner shows which index it can use.
      const client = await pool.connect();
      try {
        await client.query("set enable_seqscan = off");
        const plans: string[] = [];
        for (const [i, q] of queries.entries()) {
          // EXPLAIN takes no parameters: the statement is prepared, and explained with its values written out.
          await client.query(`prepare arrival_read_${i} as ${q.text}`);
          const values = q.values.map((v) => (v === null ? "null" : typeof v === "number" ? String(v) : client.escapeLiteral(String(v))));
          const { rows } = await client.query<{ "QUERY PLAN": string }>(`explain execute arrival_read_${i}${values.length ? `(${values.join(", ")})` : ""}`);
          plans.push(rows.map((r) => r["QUERY PLAN"]).join("\n"));
        }
        expect(plans).toEqual([
          expect.not.stringContaining("calls"),
          expect.not.stringContaining("calls"),
          expect.stringContaining("calls_from_idx"),
          expect.stringContaining("calls_line_idx"),
        ]);
        expect(plans.slice(0, 2).join("\n")).toContain("lines_held");
      } finally {
        client.release();
      }
    });
  });
});
