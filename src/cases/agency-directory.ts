import { and, asc, eq, isNull, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { agencies } from "../../db/schema.js";
import type { Db } from "../../db/connection.js";
import { toE164 } from "../calls/phone-number.js";
import { inTransaction, type Ctx, type RecordEvent, type Tx } from "../events/event-log.js";
import { endpointSchema } from "../telephony/endpoint.js";
import { agencyTypeSchema } from "./agency-types.js";
import { forEachSliced } from "../batches.js";
import { setImmediate as nextTurn } from "node:timers/promises";
import { activeCategoryCodes, categoryCodeSchema, requireActiveCategories } from "./case-categories.js";
import { CaseError } from "./case-error.js";
import { provinceCodeSchema } from "./provinces.js";

export type AgencyRow = typeof agencies.$inferSelect;
type Reader = Pick<Tx, "select"> | Db;

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

export function agencyById(db: Reader, id: number): AgencyRow | undefined {
  return db.select().from(agencies).where(eq(agencies.id, id)).get();
}

/** The agencies that take a category: those naming it, and those naming none (they take everything). */
const takesCategory = (category: string) =>
  sql`(json_array_length(${agencies.categories}) = 0 or exists (select 1 from json_each(${agencies.categories}) where value = ${category}))`;

/** LIKE's own wildcards in what people type are matched as themselves. */
const likeWord = (word: string) => `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function agencyWhere(filter: Partial<AgencyFilter>): SQL | undefined {
  const parts: (SQL | undefined)[] = [
    filter.province === "national" ? isNull(agencies.province) : filter.province ? eq(agencies.province, filter.province) : undefined,
    filter.type ? eq(agencies.type, filter.type) : undefined,
    filter.category ? takesCategory(filter.category) : undefined,
    filter.active === "all" ? undefined : eq(agencies.active, filter.active !== "false"),
    ...(filter.text ?? "").split(/\s+/).filter(Boolean).map((w) => sql`${agencies.name} like ${likeWord(w)} escape '\\'`),
  ];
  return and(...parts.filter((p): p is SQL => p !== undefined));
}

const directoryOrder = [sql`${agencies.province} is null`, asc(agencies.province), asc(agencies.type), asc(agencies.name), asc(agencies.id)];

/** Every matching agency: the CSV export and the referral rule. */
export function listAgencies(db: Reader, filter: Partial<AgencyFilter> = {}): AgencyRow[] {
  return db.select().from(agencies).where(agencyWhere(filter)).orderBy(...directoryOrder).all();
}

export function pageAgencies(db: Reader, page: AgencyPage): { rows: AgencyRow[]; total: number } {
  const where = agencyWhere(page);
  const rows = db.select().from(agencies).where(where).orderBy(...directoryOrder).limit(page.limit).offset(page.offset).all();
  const total = db.select({ n: sql<number>`count(*)` }).from(agencies).where(where).get()?.n ?? 0;
  return { rows, total };
}

export const activeAgencies = (db: Reader) => listAgencies(db, { active: "true" });

function insertAgency(tx: Tx, record: RecordEvent, input: NewAgency, userId: string, now: number): AgencyRow {
  requireActiveCategories(tx, input.categories);
  const row = tx.insert(agencies).values({ ...input, createdAt: now }).returning().get();
  record({ type: "agency.created", userId, data: { agencyId: row.id, name: row.name, agencyType: row.type, province: row.province } });
  return row;
}

function patchAgency(tx: Tx, record: RecordEvent, current: AgencyRow, patch: AgencyPatch, userId: string): AgencyRow {
  if (patch.categories) requireActiveCategories(tx, patch.categories);
  const changed = (Object.keys(patch) as (keyof AgencyPatch)[]).filter(
    (k) => JSON.stringify(patch[k]) !== JSON.stringify(current[k]),
  );
  if (!changed.length) return current;
  const row = tx.update(agencies).set(patch).where(eq(agencies.id, current.id)).returning().get();
  if (!row) throw new CaseError("not_found", `agency ${current.id} not found`);
  record({ type: "agency.updated", userId, data: { agencyId: row.id, changed } });
  return row;
}

export function createAgency(ctx: Ctx, input: NewAgency, userId: string): AgencyRow {
  return inTransaction(ctx, (tx, record) => insertAgency(tx, record, input, userId, ctx.clock.now()));
}

export function updateAgency(ctx: Ctx, id: number, patch: AgencyPatch, userId: string): AgencyRow {
  return inTransaction(ctx, (tx, record) => {
    const current = agencyById(tx, id);
    if (!current) throw new CaseError("not_found", `agency ${id} not found`);
    return patchAgency(tx, record, current, patch, userId);
  });
}

export interface ImportResult {
  created: number;
  updated: number;
  errors: { line: number; message: string }[];
}

/** Rows staged per statement batch; each import stages into a temporary table of its own. */
const STAGE_BATCH = 500;
let imports = 0;

/**
 * A directory import: each row is matched by name and province (national when empty) and created or
 * updated; a listed agency is active. Bad rows are reported by line and do not stop the others; a name
 * listed twice takes its last row.
 *
 * The whole directory is written in one transaction with one `agency.imported` event, as set-based
 * SQL over the rows passed as one JSON value (indexed by name): thousands of rows one by one held every
 * webhook for seconds. The checks before it run in batches that let webhooks through.
 */
export async function importAgencies(ctx: Ctx, rows: { line: number; input: NewAgency }[], userId: string, opts: { dryRun?: boolean } = {}): Promise<ImportResult> {
  const errors: ImportResult["errors"] = [];
  const known = activeCategoryCodes(ctx.db);
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
  // The rows are staged in a temporary table of this import's own, a slice at a time: parsing them (as
  // JSON, or row by row) inside the one transaction below held the event loop for 80 ms on 10,000 rows.
  const staging = `agency_import_${++imports}`;
  const sqlite = ctx.db.$client;
  sqlite.exec(`create temp table ${staging} (i integer primary key, name text not null, type text not null, province text, endpoint text, hours text not null, categories text not null)`);
  const insert = sqlite.prepare(`insert into temp.${staging} (i, name, type, province, endpoint, hours, categories) values (?, ?, ?, ?, ?, ?, ?)`);
  const stage = sqlite.transaction((batch: { i: number; input: NewAgency }[]) => {
    for (const { i, input } of batch) insert.run(i, input.name, input.type, input.province, input.endpoint, input.hours, JSON.stringify(input.categories));
  });
  let batch: { i: number; input: NewAgency }[] = [];
  await forEachSliced(listed.map(({ input }, i) => ({ i, input })), (row) => {
    batch.push(row);
    if (batch.length < STAGE_BATCH) return;
    stage(batch);
    batch = [];
  });
  stage(batch);
  const rowsOf = sql.raw(`temp.${staging}`);
  const write = (tx: Tx, record: RecordEvent): ImportResult => {
    const existing = tx.all<{ i: number }>(sql`select s.i from ${rowsOf} s where exists (select 1 from agencies a where a.name = s.name and a.province is s.province)`).length;
    tx.run(sql`update agencies set type = s.type, endpoint = s.endpoint, hours = s.hours, categories = s.categories, active = 1
      from ${rowsOf} s where agencies.name = s.name and agencies.province is s.province`);
    tx.run(sql`insert into agencies (name, type, province, endpoint, hours, categories, active, created_at)
      select s.name, s.type, s.province, s.endpoint, s.hours, s.categories, 1, ${ctx.clock.now()} from ${rowsOf} s
      where not exists (select 1 from agencies a where a.name = s.name and a.province is s.province) order by s.i`);
    // A row for a new agency creates it, every further row of that name updates it.
    const created = listed.length - existing;
    const result: ImportResult = { created, updated: rows.length - errors.length - created, errors };
    record({ type: "agency.imported", userId, data: { created: result.created, updated: result.updated, errors: errors.length } });
    return result;
  };
  // The transaction on a turn of its own: the staging's last slice has had its time.
  await nextTurn();
  try {
    return applyImport(ctx, write, opts.dryRun ?? false);
  } finally {
    sqlite.exec(`drop table if exists temp.${staging}`);
  }
}

/** In the one transaction, or (a dry run) the same transaction rolled back: a preview never disagrees with the import. */
function applyImport(ctx: Ctx, write: (tx: Tx, record: RecordEvent) => ImportResult, dryRun: boolean): ImportResult {
  if (!dryRun) return inTransaction(ctx, write);
  try {
    inTransaction(ctx, (tx, record) => {
      throw new DryRun(write(tx, record));
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
