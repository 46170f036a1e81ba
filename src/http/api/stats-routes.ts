import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { setCapacity } from "../../lines/line-capacity.js";
import { trendHistory } from "../../stats/trend-history.js";
import type { Services } from "../../services.js";
import { requireRole } from "../auth.js";
import { parseOr400 } from "../errors.js";

export function statsRoutes(app: FastifyInstance, s: Services): void {
  app.get("/api/stats", { preHandler: requireRole(s, "supervisor") }, async () => s.figures());

  /** The wallboard's trend as it was before the tab opened: one point a minute, from the calls' timestamps. */
  app.get("/api/stats/history", { preHandler: requireRole(s, "supervisor") }, async (request) => {
    const { minutes } = parseOr400(z.object({ minutes: z.coerce.number().int().min(1).max(1440).default(180) }), request.query);
    return trendHistory(s.ctx.db, s.ctx.clock.now(), minutes);
  });

  app.put("/api/settings/lines", { preHandler: requireRole(s, "admin", "supervisor") }, async (request) => {
    const { lines } = parseOr400(z.object({ lines: z.number().int().min(1).max(10_000) }), request.body);
    // Lowering below the lines in use ends no call: new calls overflow until enough have finished.
    const result = setCapacity(s.ctx, lines, request.user?.id ?? null);
    s.log.info({ lines, by: request.user?.id }, "line capacity changed");
    return { lines: result.capacity, capacity: result.capacity, inUse: result.inUse };
  });
}
