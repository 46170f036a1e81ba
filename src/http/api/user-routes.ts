import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { Services } from "../../services.js";
import { tokenExpiresAt, tokenIssuedAt } from "../../users/access.js";
import { listUsers, rotateToken, setActive, UserError } from "../../users/user-admin.js";
import { createUser, type UserRow } from "../../users/user-store.js";
import { requireRole } from "../auth.js";
import { HttpError } from "../errors.js";

const iso = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString());
const idParams = z.object({ id: z.string().min(1).max(64) });
const newUserSchema = z.object({ name: z.string().trim().min(1).max(120), role: z.enum(["admin", "supervisor"]) });
const patchSchema = z.strictObject({ active: z.boolean() });

function asHttp(err: unknown): never {
  if (err instanceof UserError) throw new HttpError(({ not_found: 404, forbidden: 403, conflict: 409 } as const)[err.code], err.code, err.message);
  throw err;
}

export function userRoutes(base: FastifyInstance, s: Services): void {
  const app = base.withTypeProvider<ZodTypeProvider>();
  /** What a manager sees of an account: never the token, only its age and when it was last used. */
  const publicUser = (u: UserRow) => ({
    id: u.id,
    name: u.name,
    role: u.role,
    active: u.active,
    ...(u.role === "agent" ? { languages: u.languages, endpoint: u.endpoint, status: u.status } : {}),
    createdAt: iso(u.createdAt),
    tokenIssuedAt: iso(tokenIssuedAt(u)),
    tokenExpiresAt: iso(tokenExpiresAt(u, s.config.TOKEN_TTL_DAYS)),
    lastSeenAt: iso(u.lastSeenAt),
  });
  const manager = (request: { user?: UserRow }) => request.user!;

  /** Supervisors and admins are people too: the admin creates their accounts. */
  app.post("/api/users", { onRequest: requireRole(s, "admin"), schema: { body: newUserSchema } }, async (request, reply) => {
    const body = request.body;
    const { user, token } = await createUser(s.ctx, body, manager(request).id);
    return reply.status(201).send({ id: user.id, name: user.name, role: user.role, token });
  });

  app.get("/api/users", { onRequest: requireRole(s, "supervisor") }, async (request) => ({
    items: (await listUsers(s.ctx.db, manager(request))).map(publicUser),
  }));

  app.patch("/api/users/:id", { onRequest: requireRole(s, "supervisor"), schema: { params: idParams, body: patchSchema } }, async (request) => {
    const { id } = request.params;
    const { active } = request.body;
    try {
      return publicUser(await setActive(s.ctx, manager(request), id, active));
    } catch (err) {
      asHttp(err);
    }
  });

  /** The new token is in this answer only; the old one is refused from now on. */
  app.post("/api/users/:id/token", { onRequest: requireRole(s, "supervisor"), schema: { params: idParams } }, async (request) => {
    const { id } = request.params;
    try {
      const { user, token } = await rotateToken(s.ctx, manager(request), id);
      return { ...publicUser(user), token };
    } catch (err) {
      asHttp(err);
    }
  });
}
