import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { AUDIT_PREFIX, listAudit } from "../../audit/audit-log.js";
import type { Services } from "../../services.js";
import { requireRole } from "../auth.js";

const instant = z.iso.datetime({ offset: true }).or(z.iso.date()).transform((v) => Date.parse(v));
const commaList = z.string().transform((v) => v.split(",").map((x) => x.trim()).filter(Boolean)).pipe(z.array(z.string().min(1).max(64)).min(1).max(50));

const auditFilterSchema = z.object({
  from: instant.optional(),
  /** Exclusive. */
  to: instant.optional(),
  user: commaList.optional(),
  /** Actions as listed (call_viewed, callbacks_exported…); the audit. prefix may be given or left out. */
  action: commaList.transform((l) => l.map((a) => (a.startsWith(AUDIT_PREFIX) ? a.slice(AUDIT_PREFIX.length) : a))).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

const iso = (ms: number) => new Date(ms).toISOString();

export function auditRoutes(base: FastifyInstance, s: Services): void {
  const app = base.withTypeProvider<ZodTypeProvider>();
  /** Who read which caller's records: the admin's view of the audit trail, newest first. */
  app.get("/api/audit", { onRequest: requireRole(s, "admin"), schema: { querystring: auditFilterSchema } }, async (request) => {
    const filter = request.query;
    const { rows, total } = await listAudit(s.ctx.db, { ...filter, users: filter.user, actions: filter.action });
    return {
      items: rows.map(({ event, userName }) => {
        const { ids, count, ...details } = event.data;
        return {
          id: event.id,
          at: iso(event.at),
          action: event.type.slice(AUDIT_PREFIX.length),
          userId: event.userId,
          userName,
          callSid: event.callSid,
          callbackId: event.callbackId,
          ids: ids ?? [],
          count: count ?? null,
          details,
        };
      }),
      total,
      limit: filter.limit,
      offset: filter.offset,
    };
  });
}
