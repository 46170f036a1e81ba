import type { FastifyInstance } from "fastify";
import { eq } from "drizzle-orm";
import { z } from "zod";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { tables } from "../../../db/storage.js";
import type { Services } from "../../services.js";
import { cancelTransfer, completeTransfer, startTransfer, TransferError, transferById, type TransferRow } from "../../transfers/transfer-service.js";
import { requireRole } from "../auth.js";
import { HttpError, notFound } from "../errors.js";

const iso = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString());

export function publicTransfer(t: TransferRow) {
  return { id: t.id, callSid: t.callSid, caseId: t.caseId, agencyId: t.agencyId, agentId: t.agentId, mode: t.mode, status: t.status, startedAt: iso(t.startedAt), answeredAt: iso(t.answeredAt), endedAt: iso(t.endedAt) };
}

function asHttp(err: unknown): never {
  if (err instanceof TransferError) throw new HttpError(err.code === "not_found" ? 404 : err.code === "forbidden" ? 403 : 409, err.code, err.message);
  throw err;
}

const startSchema = z.object({ agencyId: z.number().int().positive(), mode: z.enum(["warm", "cold"]).default("warm"), caseId: z.number().int().positive().optional() });
const idParams = z.object({ id: z.coerce.number().int().positive() });

export function transferRoutes(base: FastifyInstance, s: Services): void {
  const app = base.withTypeProvider<ZodTypeProvider>();
  app.post("/api/calls/:callSid/transfers", { onRequest: requireRole(s, "agent"), schema: { params: z.object({ callSid: z.string().min(1).max(64) }), body: startSchema } }, async (request, reply) => {
    const { callSid } = request.params;
    const body = request.body;
    try {
      const t = await startTransfer(s.ctx, { callSid, agentId: request.user!.id, ...body });
      return reply.status(201).send(publicTransfer(t));
    } catch (err) {
      asHttp(err);
    }
  });

  app.get("/api/calls/:callSid/transfers", { onRequest: requireRole(s, "agent", "supervisor"), schema: { params: z.object({ callSid: z.string().min(1).max(64) }) } }, async (request) => {
    const { callSid } = request.params;
    const { transfers } = tables(s.ctx.db);
    const rows = await s.ctx.db.select().from(transfers).where(eq(transfers.callSid, callSid));
    const mine = request.user?.role === "agent" ? rows.filter((t) => t.agentId === request.user?.id) : rows;
    return { items: mine.map(publicTransfer) };
  });

  for (const [action, fn] of [["complete", completeTransfer], ["cancel", cancelTransfer]] as const) {
    app.post(`/api/transfers/:id/${action}`, { onRequest: requireRole(s, "agent"), schema: { params: idParams } }, async (request) => {
      const { id } = request.params;
      try {
        const moved = await fn(s.ctx, id, request.user!.id);
        if (moved) return publicTransfer(moved);
        const current = await transferById(s.ctx.db, id);
        if (!current) throw notFound(`transfer ${id}`);
        throw new HttpError(409, "conflict", `the transfer is ${current.status}`);
      } catch (err) {
        asHttp(err);
      }
    });
  }
}
