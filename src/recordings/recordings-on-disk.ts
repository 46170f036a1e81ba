import { existsSync } from "node:fs";
import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import * as schema from "../../db/schema.js";
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
