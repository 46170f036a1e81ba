import { existsSync } from "node:fs";
import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import pg from "pg";
import * as schema from "../../db/schema.js";
import * as pgSchema from "../../db/schema-pg.js";
import type { Db } from "../../db/storage.js";
import { ApprovedIndex, type ApprovedLookup } from "./approved-index.js";
import { listRecordings, type RecordingInfo } from "./recording-store.js";

export type StoredRecordings = { approved: ApprovedLookup; drafts: RecordingInfo[] } | { unavailable: string };

/**
 * The approved recordings and the drafts of a hotline's SQLite database, read without changing it (no
 * migration, no WAL checkpoint), for `npm run flows:check` on a server's host. Anything in the way (no
 * file, an older schema, a lock) is an answer in words, not a failure: the check then runs without it.
 * The file is opened here, not through the storage port: the port's SQLite engine migrates and checkpoints.
 */
export async function readStoredRecordings(file: string): Promise<StoredRecordings> {
  if (!existsSync(file)) return { unavailable: `${file} does not exist` };
  let sqlite: Database.Database | undefined;
  try {
    sqlite = new Database(file, { readonly: true, fileMustExist: true });
    // The SQLite schema's tables, which `tables(db)` hands the store's queries.
    const db = drizzle(sqlite, { schema }) as unknown as Db;
    return { approved: await ApprovedIndex.load(db), drafts: await listRecordings(db, ["draft"]) };
  } catch (err) {
    return { unavailable: `${file} could not be read (${(err as Error).message})` };
  } finally {
    sqlite?.close();
  }
}

/**
 * The same from a hotline's PostgreSQL database (DATABASE_URL), read on one connection of its own without
 * migrating it: the check must not change a database the running instances share.
 */
export async function readStoredRecordingsFromPostgres(url: string): Promise<StoredRecordings> {
  const client = new pg.Client({ connectionString: url, application_name: "hotline flows:check" });
  try {
    await client.connect();
    const db = drizzlePg(client, { schema: pgSchema }) as unknown as Db;
    return { approved: await ApprovedIndex.load(db), drafts: await listRecordings(db, ["draft"]) };
  } catch (err) {
    return { unavailable: `the PostgreSQL database at DATABASE_URL could not be read (${(err as Error).message})` };
  } finally {
    await client.end().catch(() => {});
  }
}
