import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { projectPath } from "../src/project-files.js";
import * as schema from "./schema.js";

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

const migrationsFolder = projectPath("db", "migrations");

/** Opens (creating if needed) and migrates the database. ":memory:" gives a private one for tests. */
export function openDatabase(file: string, opts: { busyTimeoutMs?: number } = {}): Db {
  if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma("journal_mode = WAL");
  // NORMAL keeps WAL durable across a process crash (only an OS crash can lose the last commits).
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 5000}`);
  cacheStatements(sqlite);
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder });
  return db as Db;
}

/** How many distinct SQL texts keep a compiled statement; the app has a few hundred at most. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * drizzle asks better-sqlite3 to compile every query afresh, which was the largest single cost of a
 * webhook. Compiled statements are reused by SQL text instead: they are only ever run to completion
 * synchronously (run/get/all), so one statement is never in use twice at once.
 */
function cacheStatements(sqlite: Database.Database): void {
  const compile = sqlite.prepare.bind(sqlite);
  const cache = new Map<string, Database.Statement>();
  sqlite.prepare = ((source: string) => {
    let statement = cache.get(source);
    if (statement) {
      // Keep recently used statements at the end, so the oldest is the one dropped.
      cache.delete(source);
    } else {
      statement = compile(source);
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    }
    cache.set(source, statement);
    return statement;
  }) as typeof sqlite.prepare;
}
