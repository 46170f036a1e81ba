import { createHash } from "node:crypto";
import type Database from "better-sqlite3";
import { Column, eq, getTableColumns, getTableName, is, Param, Placeholder, SQL, sql, Subquery } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
import { engineOf, type Db } from "./storage.js";

/**
 * drizzle builds a query's SQL text anew every time it runs, and on a webhook that building cost more
 * than SQLite's own work. Queries on the hot paths are therefore built once per connection and run
 * with placeholders, on both engines (ownerOf says what a query is kept for).
 */
const caches = new WeakMap<object, Map<string, unknown>>();

/** Anything drizzle can build a query on: the database, or a transaction on it. */
type Builder = object;

/**
 * What a query built on `db` is bound to, and so what it is kept for. On SQLite the session: the one
 * object a database and its transactions share. On PostgreSQL a transaction has a session of its own, but
 * its connection (the pool's client, or the pool itself outside a transaction) outlives it: a query built
 * in one transaction runs as well in the next one on the same connection. drizzle marks both internal.
 */
function ownerOf(db: Builder): object {
  const session = (db as { session: { client?: object } }).session;
  return engineOf(db as Db) === "postgres" ? session.client! : session;
}

/**
 * Compiled queries kept per connection. Most keys are fixed, but some carry a user's filter (dates, lists)
 * and could grow without end: past this the cache starts again, and each query is built anew when next used.
 */
const PREPARED_LIMIT = 1_000;

/**
 * The query `build` makes, built once for this connection under `key`; run it with `executed(query, values)`.
 * `build` ends with `.prepare(key)`: PostgreSQL names the statement so each connection parses it once,
 * SQLite ignores the name. `build` is handed `db`, so a hot path can pass a function made once instead of a
 * closure made per call. On PostgreSQL the statement's name also makes the server parse it once per
 * connection; building it anew in every transaction cost the hotline's process more than the round trips.
 */
export function prepared<D extends Builder, Q>(db: D, key: string, build: (db: D) => Q): Q {
  const owner = ownerOf(db);
  let cache = caches.get(owner);
  if (!cache) caches.set(owner, (cache = new Map()));
  let query = cache.get(key) as Q | undefined;
  if (query === undefined) {
    if (cache.size >= PREPARED_LIMIT) cache.clear();
    cache.set(key, (query = build(db)));
  }
  return query;
}

/**
 * Runs a query built by `prepared` with its placeholders' values: from a plan made once per query (each
 * parameter's placeholder and column encoder, each result field's name and decoder), straight on the
 * driver. drizzle looked up every parameter's and every field's class (`is`) on every run — the arrival's
 * insert has 24 — and on SQLite wrapped better-sqlite3's synchronous answer in three promises; on
 * PostgreSQL it added an async layer per step of its tracing. SQLite answers at once, PostgreSQL with the
 * query's promise: await it either way. Anything the plan does not cover (nested results, custom mappers)
 * goes through drizzle. `test/db/executed.test.ts` holds it to drizzle's answers on both engines.
 */
export function executed<R>(query: { execute(values: Record<string, unknown>): PromiseLike<R> }, values: Record<string, unknown>): R | PromiseLike<R> {
  const lite = query as unknown as SqliteQuery<R>;
  if (lite.stmt !== undefined && typeof lite.executeMethod === "string") {
    if (lite.executeMethod === "run") return lite.stmt.run(fill(lite, lite.query.params, values)) as R;
    const row = rowMaker(lite);
    if (row && lite.executeMethod !== "values") {
      const statement = lite.stmt.raw(true);
      if (lite.executeMethod === "all") return (statement.all(fill(lite, lite.query.params, values)) as unknown[][]).map(row) as R;
      const found = statement.get(fill(lite, lite.query.params, values)) as unknown[] | undefined;
      return (found && row(found)) as R;
    }
    return lite[lite.executeMethod](values);
  }
  const pg = query as unknown as PgQuery;
  if (pg.rawQueryConfig !== undefined && pg.client !== undefined) {
    if (!pg.fields && !pg.customResultMapper) return pg.client.query(pg.rawQueryConfig, fill(pg, pg.params, values)) as unknown as PromiseLike<R>;
    const row = rowMaker(pg);
    if (row) return pg.client.query(pg.queryConfig, fill(pg, pg.params, values)).then((result) => result.rows.map(row) as R);
  }
  return query.execute(values);
}

/** Result fields of a drizzle query (internal to drizzle). */
interface Mapped {
  fields?: Array<{ path: string[]; field: unknown }>;
  customResultMapper?: unknown;
}

/** What drizzle's better-sqlite3 query holds (internal to drizzle). */
interface SqliteQuery<R> extends Mapped {
  stmt?: Database.Statement;
  executeMethod?: "run" | "all" | "get" | "values";
  query: { params: unknown[] };
  all(values: Record<string, unknown>): R;
  get(values: Record<string, unknown>): R;
  values(values: Record<string, unknown>): R;
}

/** What drizzle's node-postgres query holds (internal to drizzle): rows come back as arrays with `queryConfig`. */
interface PgQuery extends Mapped {
  client?: { query(config: object, params: unknown[]): Promise<{ rows: unknown[][] }> };
  rawQueryConfig?: object;
  queryConfig: object;
  params: unknown[];
}

/** One parameter of a query: a placeholder's name (with the column's encoder, if any), or a constant. */
type Slot = { name: string; encoder?: { mapToDriverValue(value: unknown): unknown } } | { value: unknown };
const plans = new WeakMap<object, Slot[]>();

/** The statement's parameters for `values`, as drizzle's fillPlaceholders gives them; the plan is kept per query. */
function fill(query: object, params: unknown[], values: Record<string, unknown>): unknown[] {
  let plan = plans.get(query);
  if (!plan) plans.set(query, (plan = params.map(slotOf)));
  const filled = new Array<unknown>(plan.length);
  for (let i = 0; i < plan.length; i++) {
    const slot = plan[i]!;
    if ("value" in slot) {
      filled[i] = slot.value;
      continue;
    }
    if (!(slot.name in values)) throw new Error(`No value for placeholder "${slot.name}" was provided`);
    const value = values[slot.name];
    filled[i] = slot.encoder ? slot.encoder.mapToDriverValue(value) : value;
  }
  return filled;
}

type Decoder = { mapFromDriverValue(value: unknown): unknown };
const rowMakers = new WeakMap<object, ((raw: unknown[]) => Record<string, unknown>) | null>();

/**
 * Makes a result object from a raw row, as drizzle's mapResultRow would, for a query whose fields are all
 * top-level (no joined tables nested in the result): null for any other, which drizzle maps itself.
 */
function rowMaker(query: Mapped & object): ((raw: unknown[]) => Record<string, unknown>) | null {
  let make = rowMakers.get(query);
  if (make !== undefined) return make;
  const fields = query.fields;
  make = null;
  if (fields && !query.customResultMapper && fields.every((f) => f.path.length === 1)) {
    const names = fields.map((f) => f.path[0]!);
    const decoders = fields.map(({ field }): Decoder => {
      if (is(field, Column)) return field;
      // An SQL's decoder is internal to drizzle (mapWith sets it).
      const decoderOf = (q: unknown) => (q as { decoder: Decoder }).decoder;
      if (is(field, SQL)) return decoderOf(field);
      if (is(field, Subquery)) return decoderOf((field as unknown as { _: { sql: SQL } })._.sql);
      return decoderOf((field as { sql: SQL }).sql);
    });
    // A column that takes the driver's value as it is (text, most numbers) costs no call per row.
    const decoding = decoders.map((d) => d.mapFromDriverValue !== Column.prototype.mapFromDriverValue);
    make = (raw) => {
      const result: Record<string, unknown> = {};
      for (let i = 0; i < names.length; i++) {
        const value = raw[i];
        result[names[i]!] = value === null ? null : decoding[i] ? decoders[i]!.mapFromDriverValue(value) : value;
      }
      return result;
    };
  }
  rowMakers.set(query, make);
  return make;
}

function slotOf(p: unknown): Slot {
  if (is(p, Placeholder)) return { name: p.name };
  if (is(p, Param) && is(p.value, Placeholder)) {
    const encoder = p.encoder as { mapToDriverValue(value: unknown): unknown } | undefined;
    // Most columns (text, numbers) hand their value over as it is: no call per value for those.
    return encoder && encoder.mapToDriverValue !== Column.prototype.mapToDriverValue ? { name: p.value.name, encoder } : { name: p.value.name };
  }
  return { value: p };
}

/**
 * PostgreSQL keeps 63 bytes of a statement's name: two longer names that share their first 63 bytes would
 * name one statement, and the second's PARSE fails ("prepared statement ... already exists"). A longer
 * one keeps its start and gains a hash of the whole.
 */
const NAME_LIMIT = 63;

/** A prepared statement's name for `label`, unique per label and short enough for PostgreSQL. */
export function statementName(label: string): string {
  if (Buffer.byteLength(label) <= NAME_LIMIT) return label;
  return `${label.slice(0, 32)} ${createHash("sha256").update(label).digest("base64url").slice(0, 22)}`;
}

/** A named placeholder whose value is passed to the driver as given (encoded by `encode` below). */
const raw = (name: string): SQL => sql`${sql.placeholder(name)}`;

/**
 * Values for raw placeholders, encoded as drizzle would: JSON text, booleans as 0/1. drizzle's own
 * placeholders encode null as well (JSON "null", false), which is why they are not used for updates.
 */
function encode(columns: Record<string, Column>, patch: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const k of keys) {
    const v = patch[k];
    values[k] = v === null ? null : columns[k]!.mapToDriverValue(v);
  }
  return values;
}

/**
 * `update table set <patch> where idColumn = id`, prepared once per set of patched columns: a row's
 * updates come in a handful of shapes, each compiled once. `table` is the engine's (from `tables(db)`).
 */
export async function updateById<T extends PgTable>(db: Db, table: T, idColumn: PgColumn, id: string | number, patch: Partial<T["$inferInsert"]>): Promise<void> {
  const columns = getTableColumns(table) as Record<string, Column>;
  const keys = Object.keys(patch).filter((k) => (patch as Record<string, unknown>)[k] !== undefined);
  if (keys.length === 0) return;
  const key = `update ${getTableName(table)} by ${idColumn.name}: ${keys.join(",")}`;
  const query = prepared(db, key, () =>
    db
      .update(table)
      .set(Object.fromEntries(keys.map((k) => [k, raw(k)])) as never)
      .where(eq(idColumn, sql.placeholder("$id")))
      .prepare(statementName(key)),
  );
  await executed(query, { ...encode(columns, patch as Record<string, unknown>, keys), $id: id });
}
