import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { setCapacity } from "../../lines/line-capacity.js";
import { trendHistory } from "../../stats/trend-history.js";
import type { Services } from "../../services.js";
import { requireRole } from "../auth.js";

export function statsRoutes(base: FastifyInstance, s: Services): void {
  const app = base.withTypeProvider<ZodTypeProvider>();
  app.get("/api/stats", { onRequest: requireRole(s, "supervisor") }, async () => await s.figures());

  /** The wallboard's trend as it was before the tab opened: one point a minute, from the calls' timestamps. */
  app.get(
    "/api/stats/history",
    { onRequest: requireRole(s, "supervisor"), schema: { querystring: z.object({ minutes: z.coerce.number().int().min(1).max(1440).default(180) }) } },
    async (request) => await trendHistory(s.ctx.db, s.ctx.clock.now(), request.query.minutes),
  );

  app.put("/api/settings/lines", { onRequest: requireRole(s, "admin", "supervisor"), schema: { body: z.object({ lines: z.number().int().min(1).max(10_000) }) } }, async (request) => {
    const { lines } = request.body;
    // Lowering below the lines in use ends no call: new calls overflow until enough have finished.
    const result = await setCapacity(s.ctx, lines, request.user?.id ?? null);
    s.log.info({ lines, by: request.user?.id }, "line capacity changed");
    return { lines: result.capacity, capacity: result.capacity, inUse: result.inUse };
  });
}
