import type { FastifyInstance } from "fastify";
import { eq } from "drizzle-orm";
import { z } from "zod";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { tables } from "../../../db/storage.js";
import { languageSchema } from "../../languages.js";
import type { Services } from "../../services.js";
import { createUser, type UserRow } from "../../users/user-store.js";
import { requireRole } from "../auth.js";
import { endpointSchema } from "../../telephony/endpoint.js";

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

export function agentRoutes(base: FastifyInstance, s: Services): void {
  const app = base.withTypeProvider<ZodTypeProvider>();
  app.post("/api/agents", { onRequest: requireRole(s, "admin", "supervisor"), schema: { body: newAgentSchema } }, async (request, reply) => {
    const body = request.body;
    const { user, token } = await createUser(s.ctx, { ...body, role: "agent" }, request.user?.id ?? "unknown");
    return reply.status(201).send({ ...publicAgent(user), token });
  });

  app.get("/api/agents", { onRequest: requireRole(s, "supervisor") }, async () => {
    const { users } = tables(s.ctx.db);
    const rows = await s.ctx.db.select().from(users).where(eq(users.role, "agent")).orderBy(users.name);
    return rows.map(publicAgent);
  });
}
