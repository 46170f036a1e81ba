import type { FastifyReply, FastifyRequest } from "fastify";
import { findUserByToken, type Role, type UserRow } from "../users/user-store.js";
import type { Services } from "../services.js";
import { HttpError } from "./errors.js";

declare module "fastify" {
  interface FastifyRequest {
    user?: UserRow;
  }
}

export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? "");
  return match?.[1];
}

/** A preHandler that admits only the given roles: 401 without a valid token, 403 with the wrong role. */
export function requireRole(s: Services, ...roles: Role[]) {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    const token = bearerToken(request.headers.authorization);
    const user = token ? findUserByToken(s.ctx.db, token) : undefined;
    if (!user) throw new HttpError(401, "unauthorized", "a valid bearer token is required");
    // An admin may do whatever a supervisor may.
    const effective: Role[] = user.role === "admin" ? ["admin", "supervisor"] : [user.role];
    if (!roles.some((r) => effective.includes(r))) {
      throw new HttpError(403, "forbidden", `this needs the role ${roles.join(" or ")}`);
    }
    request.user = user;
  };
}
