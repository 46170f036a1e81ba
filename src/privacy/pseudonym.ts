import { createHmac, randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { first, tables } from "../../db/storage.js";
import { inTransaction, type Ctx } from "../events/event-log.js";

/** What every anonymised number starts with (retention matches it in SQL too). */
export const PSEUDONYM_PREFIX = "anon:";
const KEY_SETTING = "pseudonym_key";

/**
 * A number replaced by a keyed hash: the same number always gives the same value (a repeat caller still
 * counts as one), and without the key the value leads back to no one.
 */
export function pseudonym(key: string, value: string): string {
  return PSEUDONYM_PREFIX + createHmac("sha256", key).update(value).digest("base64url").slice(0, 22);
}

export const isPseudonym = (value: string | null | undefined) => Boolean(value?.startsWith(PSEUDONYM_PREFIX));

/** The configured key; else the one made at first start and kept in the settings table. */
export async function pseudonymKey(ctx: Ctx, configured: string | undefined): Promise<string> {
  if (configured) return configured;
  return inTransaction(ctx, async (tx) => {
    const { settings } = tables(tx);
    const stored = first(await tx.select({ value: settings.value }).from(settings).where(eq(settings.key, KEY_SETTING)));
    if (typeof stored?.value === "string") return stored.value;
    const made = randomBytes(32).toString("base64url");
    await tx.insert(settings).values({ key: KEY_SETTING, value: made });
    return made;
  });
}
