import type { FastifyInstance } from "fastify";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { users } from "../../../db/schema.js";
import { languageSchema } from "../../languages.js";
import type { Services } from "../../services.js";
import { createUser, type UserRow } from "../../users/user-store.js";
import { requireRole } from "../auth.js";
import { endpointSchema } from "../../telephony/endpoint.js";
import { parseOr400 } from "../errors.js";

export const newAgentSchema = z.object({
  name: z.string().trim().min(1).max(120),
  languages: z.array(languageSchema).min(1).max(8).transform((l) => [...new Set(l)]),
  endpoint: endpointSchema,
});

export function publicAgent(agent: UserRow) {
  return {
    id: agent.id,
    name: agent.name,
    languages: agent.languages,
    endpoint: agent.endpoint,
    status: agent.status,
    statusSince: new Date(agent.statusSince).toISOString(),
    currentCallSid: agent.currentCallSid,
    active: agent.active,
  };
}

export function agentRoutes(app: FastifyInstance, s: Services): void {
  app.post("/api/agents", { preHandler: requireRole(s, "admin", "supervisor") }, async (request, reply) => {
    const body = parseOr400(newAgentSchema, request.body);
    const { user, token } = createUser(s.ctx, { ...body, role: "agent" }, request.user?.id ?? "unknown");
    return reply.status(201).send({ ...publicAgent(user), token });
  });

  app.get("/api/agents", { preHandler: requireRole(s, "supervisor") }, async () => {
    const rows = s.ctx.db.select().from(users).where(eq(users.role, "agent")).orderBy(users.name).all();
    return rows.map(publicAgent);
  });
}
