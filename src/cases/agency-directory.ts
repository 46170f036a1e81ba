import { randomUUID } from "node:crypto";
import { setImmediate as nextTurn } from "node:timers/promises";
import { and, asc, eq, isNull, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { countAll, dialect, first, tables, type Db, type Tables } from "../../db/storage.js";
import { forEachSliced } from "../batches.js";
import { toE164 } from "../calls/phone-number.js";
import { inTransaction, type Ctx, type RecordEvent, type Tx } from "../events/event-log.js";
import { endpointSchema } from "../telephony/endpoint.js";
import { agencyTypeSchema } from "./agency-types.js";
import { activeCategoryCodes, categoryCodeSchema, requireActiveCategories } from "./case-categories.js";
import { CaseError } from "./case-error.js";
import { provinceCodeSchema } from "./provinces.js";

export type AgencyRow = Tables["agencies"]["$inferSelect"];
/** A handle to read through: the database, or a transaction on it. */
type Reader = Db;

/** Spreadsheets write numbers as "+66 2 123 4567" or "02 123 4567": stored as E.164 so a transfer can dial them. */
const agencyEndpointSchema = z
  .string()
  .trim()
  .transform((v) => (/^(sip|client):/.test(v) ? v : (toE164(v) ?? v)))
  .pipe(endpointSchema);

const fields = {
  name: z.string().trim().min(1).max(200),
  type: agencyTypeSchema,
  /** null: a national agency. */
  province: provinceCodeSchema.nullable(),
  endpoint: agencyEndpointSchema.nullable(),
  hours: z.string().trim().min(1).max(200),
  /** Empty: takes every category. */
  categories: z.array(categoryCodeSchema).max(50).transform((c) => [...new Set(c)]),
};

export const newAgencySchema = z.strictObject({
  ...fields,
  endpoint: fields.endpoint.optional().transform((v) => v ?? null),
  hours: fields.hours.default("24h"),
  categories: fields.categories.default([]),
});
export type NewAgency = z.infer<typeof newAgencySchema>;

export const agencyPatchSchema = z
  .strictObject({
    name: fields.name.optional(),
    type: fields.type.optional(),
    province: fields.province.optional(),
    endpoint: fields.endpoint.optional(),
    hours: fields.hours.optional(),
    categories: fields.categories.optional(),
    active: z.boolean().optional(),
  })
  .refine((p) => Object.keys(p).length > 0, "nothing to change");
export type AgencyPatch = z.infer<typeof agencyPatchSchema>;

export const agencyFilterSchema = z.object({
  /** A province code, or "national" for agencies without one. */
  province: z.union([provinceCodeSchema, z.literal("national")]).optional(),
  type: agencyTypeSchema.optional(),
  category: categoryCodeSchema.optional(),
  active: z.enum(["true", "false", "all"]).default("true"),
  /** Words of the name, in any case: "chiang mai police". */
  text: z.string().trim().min(1).max(100).optional(),
});
export type AgencyFilter = z.infer<typeof agencyFilterSchema>;

/** The directory runs to thousands of agencies: the API gives it a page at a time, with the total. */
export const agencyPageSchema = agencyFilterSchema.extend({
  limit: z.coerce.number().int().min(1).max(1_000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
export type AgencyPage = z.infer<typeof agencyPageSchema>;

export async function agencyById(db: Reader, id: number): Promise<AgencyRow | undefined> {
  const { agencies } = tables(db);
  return first(await db.select().from(agencies).where(eq(agencies.id, id)));
}

/** The agencies that take a category: those naming it, and those naming none (they take everything). */
function takesCategory(db: Reader, category: string): SQL {
  const { agencies } = tables(db);
  return dialect(db, {
    sqlite: sql`(json_array_length(${agencies.categories}) = 0 or exists (select 1 from json_each(${agencies.categories}) where value = ${category}))`,
    postgres: sql`(jsonb_array_length(${agencies.categories}) = 0 or ${agencies.categories} @> cast(${JSON.stringify([category])} as jsonb))`,
  });
}

/** LIKE's own wildcards in what people type are matched as themselves. */
const likeWord = (word: string) => `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function agencyWhere(db: Reader, filter: Partial<AgencyFilter>): SQL | undefined {
  const { agencies } = tables(db);
  const parts: (SQL | undefined)[] = [
    filter.province === "national" ? isNull(agencies.province) : filter.province ? eq(agencies.province, filter.province) : undefined,
    filter.type ? eq(agencies.type, filter.type) : undefined,
    filter.category ? takesCategory(db, filter.category) : undefined,
    filter.active === "all" ? undefined : eq(agencies.active, filter.active !== "false"),
    // Any case: LIKE ignores it in SQLite only.
    ...(filter.text ?? "").split(/\s+/).filter(Boolean).map((w) => sql`lower(${agencies.name}) like lower(${likeWord(w)}) escape '\\'`),
  ];
  return and(...parts.filter((p): p is SQL => p !== undefined));
}

/** Provinces in order, national agencies last (`is null` sorts false before true on both engines). */
const directoryOrder = (agencies: Tables["agencies"]) => [sql`${agencies.province} is null`, asc(agencies.province), asc(agencies.type), asc(agencies.name), asc(agencies.id)];

/** Every matching agency: the CSV export and the referral rule. */
export async function listAgencies(db: Reader, filter: Partial<AgencyFilter> = {}): Promise<AgencyRow[]> {
  const { agencies } = tables(db);
  return db.select().from(agencies).where(agencyWhere(db, filter)).orderBy(...directoryOrder(agencies));
}

export async function pageAgencies(db: Reader, page: AgencyPage): Promise<{ rows: AgencyRow[]; total: number }> {
  const { agencies } = tables(db);
  const where = agencyWhere(db, page);
  const rows = await db.select().from(agencies).where(where).orderBy(...directoryOrder(agencies)).limit(page.limit).offset(page.offset);
  const total = first(await db.select({ n: countAll() }).from(agencies).where(where))?.n ?? 0;
  return { rows, total };
}

export const activeAgencies = (db: Reader) => listAgencies(db, { active: "true" });

async function insertAgency(tx: Tx, record: RecordEvent, input: NewAgency, userId: string, now: number): Promise<AgencyRow> {
  const { agencies } = tables(tx);
  await requireActiveCategories(tx, input.categories);
  const row = first(await tx.insert(agencies).values({ ...input, createdAt: now }).returning())!;
  await record({ type: "agency.created", userId, data: { agencyId: row.id, name: row.name, agencyType: row.type, province: row.province } });
  return row;
}

async function patchAgency(tx: Tx, record: RecordEvent, current: AgencyRow, patch: AgencyPatch, userId: string): Promise<AgencyRow> {
  const { agencies } = tables(tx);
  if (patch.categories) await requireActiveCategories(tx, patch.categories);
  const changed = (Object.keys(patch) as (keyof AgencyPatch)[]).filter(
    (k) => JSON.stringify(patch[k]) !== JSON.stringify(current[k]),
  );
  if (!changed.length) return current;
  const row = first(await tx.update(agencies).set(patch).where(eq(agencies.id, current.id)).returning());
  if (!row) throw new CaseError("not_found", `agency ${current.id} not found`);
  await record({ type: "agency.updated", userId, data: { agencyId: row.id, changed } });
  return row;
}

export async function createAgency(ctx: Ctx, input: NewAgency, userId: string): Promise<AgencyRow> {
  return inTransaction(ctx, (tx, record) => insertAgency(tx, record, input, userId, ctx.clock.now()));
}

export async function updateAgency(ctx: Ctx, id: number, patch: AgencyPatch, userId: string): Promise<AgencyRow> {
  return inTransaction(ctx, async (tx, record) => {
    const current = await agencyById(tx, id);
    if (!current) throw new CaseError("not_found", `agency ${id} not found`);
    return patchAgency(tx, record, current, patch, userId);
  });
}

export interface ImportResult {
  created: number;
  updated: number;
  errors: { line: number; message: string }[];
}

/** Rows staged per statement, each statement in a transaction and a turn of the event loop of its own. */
const STAGE_BATCH = 500;

/**
 * A directory import: each row is matched by name and province (national when empty) and created or
 * updated; a listed agency is active. Bad rows are reported by line and do not stop the others; a name
 * listed twice takes its last row.
 *
 * The whole directory is written in one transaction with one `agency.imported` event, as set-based
 * SQL over the rows staged in a table of this import's own: thousands of rows one by one held every
 * webhook for seconds. The checks and the staging before it run in slices that let webhooks through.
 */
export async function importAgencies(ctx: Ctx, rows: { line: number; input: NewAgency }[], userId: string, opts: { dryRun?: boolean } = {}): Promise<ImportResult> {
  const errors: ImportResult["errors"] = [];
  const known = await activeCategoryCodes(ctx.db);
  const byKey = new Map<string, { input: NewAgency; rows: number }>();
  await forEachSliced(rows, ({ line, input }) => {
    const unknown = input.categories.filter((c) => !known.has(c));
    if (unknown.length) {
      errors.push({ line, message: `unknown case category: ${unknown.join(", ")}` });
      return;
    }
    const key = JSON.stringify([input.name, input.province]);
    byKey.set(key, { input, rows: (byKey.get(key)?.rows ?? 0) + 1 });
  });
  const listed = [...byKey.values()];
  // The rows are staged a slice at a time, each slice a short transaction on a turn of its own, and the
  // one transaction below only applies them: on SQLite a transaction holds the event loop from BEGIN to
  // COMMIT, and parsing the rows inside it (as JSON, or row by row) held it for 80 ms on 10,000 rows
  // (three times what the apply alone takes). So the staging table must outlive a transaction and be
  // seen by the next one: on SQLite a temporary table (its one connection runs every transaction, and
  // the table goes with it), on PostgreSQL an unlogged table, since a temporary one belongs to one
  // pooled connection and the slices' transactions run on any. Its name is this import's own, on every
  // instance; it is dropped once the import is done. A process that dies mid-import leaves it behind: its
  // name carries when it was made, and `sweepAbandonedImports` drops the ones long past any import.
  const staging = sql`${sql.identifier(`${STAGING_PREFIX}${ctx.clock.now()}_${randomUUID().replaceAll("-", "").slice(0, 12)}`)}`;
  await inTransaction(ctx, (tx) => ctx.storage.rows(tx, createStaging(tx, staging)));
  try {
    for (let from = 0; from < listed.length; from += STAGE_BATCH) {
      const batch = listed.slice(from, from + STAGE_BATCH);
      await nextTurn();
      await inTransaction(ctx, (tx) => ctx.storage.rows(tx, stageRows(staging, from, batch.map((b) => b.input))));
    }
    // Matched by name and province; `is not distinct from` is equality where a national agency's null
    // province matches null (SQLite has it since 3.39; better-sqlite3 brings its own, newer, SQLite).
    const write = async (tx: Tx, record: RecordEvent): Promise<ImportResult> => {
      const matched = sql`exists (select 1 from agencies a where a.name = s.name and a.province is not distinct from s.province)`;
      const existing = first(await ctx.storage.rows<{ n: number | string }>(tx, sql`select count(*) as n from ${staging} s where ${matched}`));
      await ctx.storage.rows(tx, sql`update agencies set type = s.type, endpoint = s.endpoint, hours = s.hours, categories = s.categories, active = true
        from ${staging} s where agencies.name = s.name and agencies.province is not distinct from s.province`);
      await ctx.storage.rows(tx, sql`insert into agencies (name, type, province, endpoint, hours, categories, active, created_at)
        select s.name, s.type, s.province, s.endpoint, s.hours, s.categories, true, cast(${ctx.clock.now()} as bigint) from ${staging} s
        where not ${matched} order by s.i`);
      // A row for a new agency creates it, every further row of that name updates it.
      const created = listed.length - Number(existing?.n ?? 0);
      const result: ImportResult = { created, updated: rows.length - errors.length - created, errors };
      await record({ type: "agency.imported", userId, data: { created: result.created, updated: result.updated, errors: errors.length } });
      return result;
    };
    // The transaction on a turn of its own: the staging's last slice has had its time.
    await nextTurn();
    return await applyImport(ctx, write, opts.dryRun ?? false);
  } finally {
    await inTransaction(ctx, (tx) => ctx.storage.rows(tx, sql`drop table if exists ${staging}`));
  }
}

const STAGING_PREFIX = "agency_import_";
/** An import takes seconds; a staging table this old belongs to a process that died during one. */
const ABANDONED_AFTER_MS = 60 * 60_000;

/**
 * Drops the staging tables of imports whose process died midway (PostgreSQL: they are ordinary unlogged
 * tables and outlive it; SQLite's temporary ones go with their connection, so none is found there). Run
 * at every start: an import
 * still running on another instance is minutes younger than the limit. Returns the tables dropped.
 */
export async function sweepAbandonedImports(ctx: Ctx): Promise<string[]> {
  const pattern = `${STAGING_PREFIX}%`;
  const catalog = dialect(ctx.db, {
    sqlite: sql`select name from sqlite_temp_master where type = 'table' and name like ${pattern}`,
    postgres: sql`select tablename as name from pg_tables where schemaname = current_schema() and tablename like ${pattern}`,
  });
  const rows = await ctx.storage.rows<{ name: string }>(ctx.db, catalog);
  const before = ctx.clock.now() - ABANDONED_AFTER_MS;
  const abandoned = rows.map((r) => r.name).filter((name) => Number(name.slice(STAGING_PREFIX.length).split("_")[0]) < before);
  for (const name of abandoned) await inTransaction(ctx, (tx) => ctx.storage.rows(tx, sql`drop table if exists ${sql.identifier(name)}`));
  return abandoned;
}

/** The staging table: the two engines name its kind, and the JSON column's type, differently. */
function createStaging(db: Db, table: SQL): SQL {
  const kind = dialect(db, { sqlite: sql`temporary`, postgres: sql`unlogged` });
  const json = dialect(db, { sqlite: sql`text`, postgres: sql`jsonb` });
  return sql`create ${kind} table ${table} (i integer primary key, name text not null, type text not null, province text, endpoint text, hours text not null, categories ${json} not null)`;
}

/** One slice of the rows, numbered from `from` in the order listed (new agencies are created in it). */
function stageRows(table: SQL, from: number, batch: NewAgency[]): SQL {
  const values = batch.map(
    (a, k) => sql`(${from + k}, ${a.name}, ${a.type}, ${a.province}, ${a.endpoint}, ${a.hours}, ${JSON.stringify(a.categories)})`,
  );
  return sql`insert into ${table} (i, name, type, province, endpoint, hours, categories) values ${sql.join(values, sql`, `)}`;
}

/** In the one transaction, or (a dry run) the same transaction rolled back: a preview never disagrees with the import. */
async function applyImport(ctx: Ctx, write: (tx: Tx, record: RecordEvent) => Promise<ImportResult>, dryRun: boolean): Promise<ImportResult> {
  if (!dryRun) return inTransaction(ctx, write);
  try {
    await inTransaction(ctx, async (tx, record) => {
      throw new DryRun(await write(tx, record));
    });
  } catch (err) {
    if (err instanceof DryRun) return err.result;
    throw err;
  }
  throw new Error("unreachable: a dry run always rolls back");
}

/** Carries a dry run's result out of the transaction it rolls back. */
class DryRun extends Error {
  constructor(readonly result: ImportResult) {
    super("dry run: rolled back");
  }
}
