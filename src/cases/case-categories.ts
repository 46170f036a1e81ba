import { asc, eq } from "drizzle-orm";
import { z } from "zod";
import { first, tables, type Db, type Tables } from "../../db/storage.js";
import { inTransaction, type Ctx } from "../events/event-log.js";
import { CaseError } from "./case-error.js";

export type CategoryRow = Tables["caseCategories"]["$inferSelect"];

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
export async function seedCaseCategories(ctx: Ctx): Promise<void> {
  await inTransaction(ctx, async (tx, record) => {
    const { caseCategories } = tables(tx);
    const added: string[] = [];
    for (const c of SHIPPED_CATEGORIES) {
      const inserted = await tx.insert(caseCategories).values(c).onConflictDoNothing().returning({ code: caseCategories.code });
      if (inserted.length) added.push(c.code);
    }
    if (added.length) await record({ type: "case_category.seeded", data: { codes: added } });
  });
}

export async function listCategories(db: Db): Promise<CategoryRow[]> {
  const { caseCategories } = tables(db);
  return db.select().from(caseCategories).orderBy(asc(caseCategories.code));
}

export async function addCategory(ctx: Ctx, input: z.infer<typeof newCategorySchema>, userId: string): Promise<CategoryRow> {
  return inTransaction(ctx, async (tx, record) => {
    const { caseCategories } = tables(tx);
    const existing = first(await tx.select().from(caseCategories).where(eq(caseCategories.code, input.code)));
    if (existing) throw new CaseError("conflict", `category ${input.code} already exists`);
    const row = first(await tx.insert(caseCategories).values(input).returning())!;
    await record({ type: "case_category.created", userId, data: { code: row.code } });
    return row;
  });
}

/** Active category codes: what a case or an agency may name. */
export async function activeCategoryCodes(db: Db): Promise<Set<string>> {
  const { caseCategories } = tables(db);
  const rows = await db.select({ code: caseCategories.code }).from(caseCategories).where(eq(caseCategories.active, true));
  return new Set(rows.map((r) => r.code));
}

export async function requireActiveCategories(db: Db, codes: readonly string[]): Promise<void> {
  const known = await activeCategoryCodes(db);
  const unknown = codes.filter((c) => !known.has(c));
  if (unknown.length) throw new CaseError("invalid", `unknown case category: ${unknown.join(", ")}`);
}
