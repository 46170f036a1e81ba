import { asc, eq } from "drizzle-orm";
import { z } from "zod";
import { caseCategories } from "../../db/schema.js";
import { inTransaction, type Ctx, type Tx } from "../events/event-log.js";
import type { Db } from "../../db/connection.js";
import { CaseError } from "./case-error.js";

export type CategoryRow = typeof caseCategories.$inferSelect;
type Reader = Pick<Tx, "select"> | Db;

/** The OSCC problem areas the hotline was set up for (violence, pregnancy, trafficking, child labour), and "other". */
export const SHIPPED_CATEGORIES = [
  { code: "violence_child", nameTh: "ความรุนแรงต่อเด็ก", nameEn: "Violence against children" },
  { code: "violence_women", nameTh: "ความรุนแรงต่อสตรี", nameEn: "Violence against women" },
  { code: "violence_elderly", nameTh: "ความรุนแรงต่อผู้สูงอายุ", nameEn: "Violence against elderly people" },
  { code: "violence_disabled", nameTh: "ความรุนแรงต่อคนพิการ", nameEn: "Violence against people with disabilities" },
  { code: "trafficking", nameTh: "การค้ามนุษย์", nameEn: "Human trafficking" },
  { code: "pregnancy", nameTh: "การตั้งครรภ์ไม่พร้อมและการตั้งครรภ์ในวัยรุ่น", nameEn: "Teenage or unplanned pregnancy" },
  { code: "child_labour", nameTh: "การใช้แรงงานเด็ก", nameEn: "Child labour" },
  { code: "other", nameTh: "ปัญหาอื่น ๆ", nameEn: "Other matters" },
] as const;

export const categoryCodeSchema = z.string().regex(/^[a-z][a-z0-9_]{1,39}$/, "a category code is 2–40 lower-case letters, digits or _");

export const newCategorySchema = z.strictObject({
  code: categoryCodeSchema,
  nameTh: z.string().trim().min(1).max(120),
  nameEn: z.string().trim().min(1).max(120),
});

/** Adds the shipped categories that are missing; never overwrites names the hotline has edited. */
export function seedCaseCategories(ctx: Ctx): void {
  inTransaction(ctx, (tx, record) => {
    const added = SHIPPED_CATEGORIES.filter(
      (c) => tx.insert(caseCategories).values(c).onConflictDoNothing().run().changes > 0,
    ).map((c) => c.code);
    if (added.length) record({ type: "case_category.seeded", data: { codes: added } });
  });
}

export function listCategories(db: Reader): CategoryRow[] {
  return db.select().from(caseCategories).orderBy(asc(caseCategories.code)).all();
}

export function addCategory(ctx: Ctx, input: z.infer<typeof newCategorySchema>, userId: string): CategoryRow {
  return inTransaction(ctx, (tx, record) => {
    const existing = tx.select().from(caseCategories).where(eq(caseCategories.code, input.code)).get();
    if (existing) throw new CaseError("conflict", `category ${input.code} already exists`);
    const row = tx.insert(caseCategories).values(input).returning().get();
    record({ type: "case_category.created", userId, data: { code: row.code } });
    return row;
  });
}

/** Active category codes: what a case or an agency may name. */
export function activeCategoryCodes(db: Reader): Set<string> {
  return new Set(
    db.select({ code: caseCategories.code }).from(caseCategories).where(eq(caseCategories.active, true)).all().map((r) => r.code),
  );
}

export function requireActiveCategories(db: Reader, codes: readonly string[]): void {
  const known = activeCategoryCodes(db);
  const unknown = codes.filter((c) => !known.has(c));
  if (unknown.length) throw new CaseError("invalid", `unknown case category: ${unknown.join(", ")}`);
}
