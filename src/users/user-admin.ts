import { asc, eq } from "drizzle-orm";
import { first, tables, type Db } from "../../db/storage.js";
import { moveAgent } from "../agents/presence.js";
import { inTransaction, type Ctx, type Tx } from "../events/event-log.js";
import { hashToken, newToken, type Role, type UserRow } from "./user-store.js";

/** An account change the domain refuses; the HTTP edge maps the code to a status. */
export class UserError extends Error {
  constructor(
    readonly code: "not_found" | "forbidden" | "conflict",
    message: string,
  ) {
    super(message);
  }
}

export interface Manager {
  id: string;
  role: Role;
}

/** Admins manage every account; supervisors manage agents only (their own team, not each other). */
export const mayManage = (manager: Manager, target: Pick<UserRow, "role">) => manager.role === "admin" || (manager.role === "supervisor" && target.role === "agent");

/** The accounts a manager may see: all of them for an admin, the agents for a supervisor. */
export async function listUsers(db: Db, manager: Manager): Promise<UserRow[]> {
  const { users } = tables(db);
  const query = db.select().from(users);
  return (manager.role === "admin" ? query : query.where(eq(users.role, "agent"))).orderBy(asc(users.role), asc(users.name));
}

async function managedUser(tx: Tx, manager: Manager, id: string): Promise<UserRow> {
  const { users } = tables(tx);
  const user = first(await tx.select().from(users).where(eq(users.id, id)));
  if (!user) throw new UserError("not_found", `user ${id} not found`);
  if (!mayManage(manager, user)) throw new UserError("forbidden", `a ${manager.role} cannot manage a ${user.role}'s account`);
  return user;
}

/**
 * Deactivating refuses the user's token from now on (the realtime hub closes their sockets on the event).
 * A free agent goes offline at once; one on a call or being offered one is not cut off mid-call: they go
 * offline instead of available when it is over (see moveAgent). Reactivating restores the same token.
 */
export function setActive(ctx: Ctx, manager: Manager, id: string, active: boolean): Promise<UserRow> {
  return inTransaction(ctx, async (tx, record) => {
    const { users } = tables(tx);
    const user = await managedUser(tx, manager, id);
    if (user.id === manager.id && !active) throw new UserError("conflict", "you cannot deactivate your own account");
    if (user.active === active) return user;
    await tx.update(users).set({ active }).where(eq(users.id, id));
    await record({ type: active ? "user.reactivated" : "user.deactivated", userId: manager.id, data: { id } });
    const updated = { ...user, active };
    const free = updated.status === "available" || updated.status === "break" || updated.status === "wrap_up";
    if (!active && updated.role === "agent" && free) return moveAgent(tx, record, updated, "offline", ctx.clock.now(), "deactivated", { currentCallSid: null });
    return updated;
  });
}

/** A new token, returned this once; the old one is refused from the commit on and the hub closes its sockets. */
export async function rotateToken(ctx: Ctx, manager: Manager, id: string): Promise<{ user: UserRow; token: string }> {
  const token = newToken();
  const user = await inTransaction(ctx, async (tx, record) => {
    const { users } = tables(tx);
    await managedUser(tx, manager, id);
    const row = first(await tx.update(users).set({ tokenHash: hashToken(token), tokenIssuedAt: ctx.clock.now() }).where(eq(users.id, id)).returning());
    await record({ type: "user.token_rotated", userId: manager.id, data: { id } });
    return row!;
  });
  return { user, token };
}
