import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { toE164 } from "../../calls/phone-number.js";
import { eraseCaller } from "../../privacy/erasure.js";
import { planCounts, retentionPlan } from "../../privacy/retention.js";
import type { Services } from "../../services.js";
import { requireRole } from "../auth.js";
import { HttpError } from "../errors.js";

/** Ids listed per kind in the preview; the counts are always whole. */
const PREVIEW_IDS = 1_000;

export function privacyRoutes(base: FastifyInstance, s: Services): void {
  const app = base.withTypeProvider<ZodTypeProvider>();
  /** What the next retention run would anonymise: the same plan the run carries out. */
  app.get("/api/retention/preview", { onRequest: requireRole(s, "admin") }, async () => {
    const now = s.ctx.clock.now();
    const cutoff = now - s.config.RETENTION_DAYS * 86_400_000;
    const plan = await retentionPlan(s.ctx.db, cutoff);
    return {
      retentionDays: s.config.RETENTION_DAYS,
      cutoff: new Date(cutoff).toISOString(),
      counts: planCounts(plan),
      ids: Object.fromEntries(Object.entries(plan).map(([k, v]) => [k, v.slice(0, PREVIEW_IDS)])),
    };
  });

  /** A caller's request to be forgotten: their personal data anonymised everywhere it is stored. */
  app.delete("/api/callers/:number", { onRequest: requireRole(s, "admin"), schema: { params: z.object({ number: z.string().trim().min(4).max(32) }) } }, async (request) => {
    const { number } = request.params;
    const e164 = toE164(number);
    if (!e164) throw new HttpError(400, "bad_request", "give the caller's phone number, e.g. +66812345678 or 0812345678");
    return await eraseCaller(s.ctx, s.pseudonymKey, e164, number, request.user?.id);
  });
}
