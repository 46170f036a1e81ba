import { createHash, randomBytes, randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { executed, prepared } from "../../db/prepared.js";
import { first, tables, type Db, type Tables } from "../../db/storage.js";
import type { Ctx } from "../events/event-log.js";
import { inTransaction } from "../events/event-log.js";

export type UserRow = Tables["users"]["$inferSelect"];
export type Role = UserRow["role"];

/** Tokens are stored only as hashes: a copy of the database gives no one a way in. */
export const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");
export const newToken = () => randomBytes(24).toString("base64url");

export async function findUserByToken(db: Db, token: string): Promise<UserRow | undefined> {
  const { users } = tables(db);
  const query = prepared(db, "findUserByToken", () => db.select().from(users).where(eq(users.tokenHash, sql.placeholder("hash"))).prepare("findUserByToken"));
  return first(await executed(query, { hash: hashToken(token) }));
}

/** The hash of the ADMIN_TOKEN last applied, so a restart can tell a changed variable from a rotated token. */
const BOOTSTRAP_KEY = "bootstrap_admin_token";

/**
 * ADMIN_TOKEN is the bootstrap admin's credential; changing it replaces the old one (and reactivates the
 * account: it is how an operator who is locked out gets back in). Once rotated through the API, the same
 * unchanged variable is not applied again: a restart must not revive a token someone chose to kill.
 */
export async function ensureBootstrapAdmin(ctx: Ctx, token: string): Promise<void> {
  await inTransaction(ctx, async (tx, record) => {
    const { settings, users } = tables(tx);
    const tokenHash = hashToken(token);
    const existing = first(await tx.select().from(users).where(eq(users.id, "admin")));
    const applied = first(await tx.select({ value: settings.value }).from(settings).where(eq(settings.key, BOOTSTRAP_KEY)))?.value;
    if (existing && (applied ?? existing.tokenHash) === tokenHash) {
      if (applied === undefined) await tx.insert(settings).values({ key: BOOTSTRAP_KEY, value: tokenHash });
      return;
    }
    const now = ctx.clock.now();
    await tx
      .insert(users)
      .values({ id: "admin", name: "Administrator", role: "admin", tokenHash, statusSince: now, createdAt: now, tokenIssuedAt: now })
      .onConflictDoUpdate({ target: users.id, set: { tokenHash, tokenIssuedAt: now, active: true } });
    await tx.insert(settings).values({ key: BOOTSTRAP_KEY, value: tokenHash }).onConflictDoUpdate({ target: settings.key, set: { value: tokenHash } });
    await record({ type: "user.bootstrap_admin", userId: "admin" });
  });
}

export interface NewUser {
  name: string;
  role: Role;
  languages?: string[];
  endpoint?: string | null;
}

/** Creates a user and returns its token, shown this once. */
export async function createUser(ctx: Ctx, input: NewUser, createdBy: string): Promise<{ user: UserRow; token: string }> {
  const token = newToken();
  const now = ctx.clock.now();
  const user = await inTransaction(ctx, async (tx, record) => {
    const { users } = tables(tx);
    const inserted = await tx
      .insert(users)
      .values({
        id: `${input.role === "agent" ? "ag" : "us"}_${randomUUID().replace(/-/g, "").slice(0, 12)}`,
        name: input.name,
        role: input.role,
        tokenHash: hashToken(token),
        languages: input.languages ?? [],
        endpoint: input.endpoint ?? null,
        statusSince: now,
        createdAt: now,
        tokenIssuedAt: now,
      })
      .returning();
    const row = inserted[0]!;
    await record({ type: "user.created", userId: createdBy, data: { id: row.id, role: row.role } });
    return row;
  });
  return { user, token };
}
