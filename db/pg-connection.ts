import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";
import { projectPath } from "../src/project-files.js";
import * as schema from "./schema-pg.js";

export type PgDb = NodePgDatabase<typeof schema> & { $client: pg.Pool };

const migrationsFolder = projectPath("db", "migrations-pg");

/**
 * Opens a connection pool on a PostgreSQL database (DATABASE_URL) and applies the migrations.
 * Close it with `db.$client.end()`.
 */
export async function openPgDatabase(url: string, opts: { onIdleError?: (err: Error) => void } = {}): Promise<PgDb> {
  // The name shows in pg_stat_activity, so an operator can tell the hotline's connections apart.
  const pool = new pg.Pool({ connectionString: url, application_name: "hotline" });
  // A pooled connection the server drops while idle (a restart, a failover) is reported here; unheard,
  // it would end the process. The pool replaces it on the next query.
  pool.on("error", (err) => opts.onIdleError?.(err));
  try {
    await migrateOnce(pool);
  } catch (err) {
    await pool.end();
    throw err;
  }
  return drizzle(pool, { schema }) as PgDb;
}

/**
 * Several instances may start at once on one database: an advisory lock lets one migrate while the
 * others wait, then find nothing left to do. The lock belongs to the connection, which is closed after.
 */
async function migrateOnce(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("select pg_advisory_lock(hashtext('hotline migrations'))");
    await migrate(drizzle(client), { migrationsFolder });
  } finally {
    client.release(true);
  }
}
