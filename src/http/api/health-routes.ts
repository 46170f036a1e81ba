import type { FastifyInstance } from "fastify";
import { sql } from "drizzle-orm";
import type { Services } from "../../services.js";

export function healthRoutes(app: FastifyInstance, s: Services): void {
  // Ready means the database answers: the one thing a call cannot be taken without.
  app.get("/health", async (_request, reply) => {
    // A draining instance still serves what reaches it, but a balancer should send nothing new.
    if (s.draining.active) return reply.status(503).send({ status: "draining" });
    try {
      await s.ctx.storage.rows(s.ctx.db, sql`select 1`);
      return { status: "ok" };
    } catch {
      return reply.status(503).send({ status: "unavailable" });
    }
  });
}
