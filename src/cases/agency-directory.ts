import { and, asc, eq, isNull, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { agencies } from "../../db/schema.js";
import type { Db } from "../../db/connection.js";
import { toE164 } from "../calls/phone-number.js";
import { inTransaction, type Ctx, type RecordEvent, type Tx } from "../events/event-log.js";
import { endpointSchema } from "../telephony/endpoint.js";
import { agencyTypeSchema } from "./agency-types.js";
import { categoryCodeSchema, requireActiveCategories } from "./case-categories.js";
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
});
export type AgencyFilter = z.infer<typeof agencyFilterSchema>;

export function agencyById(db: Reader, id: number): AgencyRow | undefined {
  return db.select().from(agencies).where(eq(agencies.id, id)).get();
}

/** The agencies that take a category: those naming it, and those naming none (they take everything). */
const takesCategory = (category: string) =>
  sql`(json_array_length(${agencies.categories}) = 0 or exists (select 1 from json_each(${agencies.categories}) where value = ${category}))`;

export function listAgencies(db: Reader, filter: Partial<AgencyFilter> = {}): AgencyRow[] {
  const parts: (SQL | undefined)[] = [
    filter.province === "national" ? isNull(agencies.province) : filter.province ? eq(agencies.province, filter.province) : undefined,
    filter.type ? eq(agencies.type, filter.type) : undefined,
    filter.category ? takesCategory(filter.category) : undefined,
    filter.active === "all" ? undefined : eq(agencies.active, filter.active !== "false"),
  ];
  return db
    .select()
    .from(agencies)
    .where(and(...parts.filter((p): p is SQL => p !== undefined)))
    .orderBy(sql`${agencies.province} is null`, asc(agencies.province), asc(agencies.type), asc(agencies.name), asc(agencies.id))
    .all();
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

/**
 * A directory import: each row is matched by name and province (national when empty) and created or
 * updated; a listed agency is active. Bad rows are reported by line and do not stop the others.
 */
export function importAgencies(ctx: Ctx, rows: { line: number; input: NewAgency }[], userId: string): ImportResult {
  return inTransaction(ctx, (tx, record) => importRows(tx, record, rows, userId, ctx.clock.now()));
}

/** Carries a dry run's result out of the transaction it rolls back. */
class DryRun extends Error {
  constructor(readonly result: ImportResult) {
    super("dry run: rolled back");
  }
}

/**
 * What importAgencies would do, with every check it makes (categories, matches by name and province),
 * and nothing written: the same import, rolled back, so a preview can never disagree with the real one.
 */
export function previewImport(ctx: Ctx, rows: { line: number; input: NewAgency }[], userId: string): ImportResult {
  try {
    inTransaction(ctx, (tx, record) => {
      throw new DryRun(importRows(tx, record, rows, userId, ctx.clock.now()));
    });
  } catch (err) {
    if (err instanceof DryRun) return err.result;
    throw err;
  }
  throw new Error("unreachable: a dry run always rolls back");
}

function importRows(tx: Tx, record: RecordEvent, rows: { line: number; input: NewAgency }[], userId: string, now: number): ImportResult {
  const result: ImportResult = { created: 0, updated: 0, errors: [] };
  for (const { line, input } of rows) {
    try {
      const existing = tx
        .select()
        .from(agencies)
        .where(and(eq(agencies.name, input.name), input.province ? eq(agencies.province, input.province) : isNull(agencies.province)))
        .orderBy(asc(agencies.id))
        .get();
      if (existing) {
        patchAgency(tx, record, existing, { ...input, active: true }, userId);
        result.updated += 1;
      } else {
        insertAgency(tx, record, input, userId, now);
        result.created += 1;
      }
    } catch (err) {
      if (!(err instanceof CaseError)) throw err;
      result.errors.push({ line, message: err.message });
    }
  }
  record({ type: "agency.imported", userId, data: { created: result.created, updated: result.updated, errors: result.errors.length } });
  return result;
}
