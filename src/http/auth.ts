import type { FastifyReply, FastifyRequest } from "fastify";
import type { Role, UserRow } from "../users/user-store.js";
import { admitToken, REFUSAL_TEXT } from "../users/access.js";
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

/**
 * A preHandler that admits only the given roles: 401 without a valid token (the error code says why:
 * unauthorized, token_expired or deactivated), 403 with the wrong role.
 */
export function requireRole(s: Services, ...roles: Role[]) {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    const admission = await admitToken(s.ctx, bearerToken(request.headers.authorization), s.config.TOKEN_TTL_DAYS, s.log);
    if (!admission.ok) throw new HttpError(401, admission.reason, REFUSAL_TEXT[admission.reason]);
    const { user } = admission;
    // An admin may do whatever a supervisor may.
    const effective: Role[] = user.role === "admin" ? ["admin", "supervisor"] : [user.role];
    if (!roles.some((r) => effective.includes(r))) {
      throw new HttpError(403, "forbidden", `this needs the role ${roles.join(" or ")}`);
    }
    request.user = user;
  };
}
