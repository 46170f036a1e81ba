import { eq } from "drizzle-orm";
import { tables } from "../../db/storage.js";
import { inTransaction, type Ctx } from "../events/event-log.js";
import type { Logger } from "../logger.js";
import type { Refusal } from "../realtime/messages.js";
import { findUserByToken, type UserRow } from "./user-store.js";


export const REFUSAL_TEXT: Record<Refusal, string> = {
  unauthorized: "a valid bearer token is required",
  token_expired: "this token has expired: ask an administrator for a new one",
  deactivated: "this account has been deactivated",
  token_replaced: "this token was replaced by a new one",
};

const DAY_MS = 86_400_000;
/** Last use is for people reading GET /api/users: a minute's precision is plenty, and saves a write per request. */
const LAST_USE_PRECISION_MS = 60_000;

export type Admission = { ok: true; user: UserRow } | { ok: false; reason: Exclude<Refusal, "token_replaced"> };

/** Accounts older than the tokenIssuedAt column got their token when they were created. */
export const tokenIssuedAt = (user: UserRow) => user.tokenIssuedAt ?? user.createdAt;

export function tokenExpiresAt(user: UserRow, ttlDays: number | undefined): number | undefined {
  return ttlDays === undefined ? undefined : tokenIssuedAt(user) + ttlDays * DAY_MS;
}

/**
 * Every presented token, HTTP or WebSocket, passes here: unknown, deactivated and expired tokens are
 * refused with their reason, and an accepted one notes the user's last use.
 */
export async function admitToken(ctx: Ctx, token: string | undefined, ttlDays: number | undefined, log: Logger): Promise<Admission> {
  const user = token ? await findUserByToken(ctx.db, token) : undefined;
  if (!user) return { ok: false, reason: "unauthorized" };
  if (!user.active) return { ok: false, reason: "deactivated" };
  const now = ctx.clock.now();
  const expiresAt = tokenExpiresAt(user, ttlDays);
  if (expiresAt !== undefined && now >= expiresAt) return { ok: false, reason: "token_expired" };
  if (user.lastSeenAt === null || now - user.lastSeenAt >= LAST_USE_PRECISION_MS) await noteLastUse(ctx, user, now, log);
  return { ok: true, user };
}

/**
 * Bookkeeping, not a state change anyone replays: no event. A database too busy to write it must not
 * refuse the request, so a failure is only logged.
 */
async function noteLastUse(ctx: Ctx, user: UserRow, now: number, log: Logger): Promise<void> {
  try {
    await inTransaction(ctx, async (tx) => {
      const { users } = tables(tx);
      await tx.update(users).set({ lastSeenAt: now }).where(eq(users.id, user.id));
    });
    user.lastSeenAt = now;
  } catch (err) {
    log.warn({ userId: user.id, err: (err as Error).message }, "could not note a user's last use");
  }
}
