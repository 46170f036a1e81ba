import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { caseFor } from "../../cases/case-store.js";
import {
  createReferral,
  listReferrals,
  moveReferral,
  newReferralSchema,
  referralFilterSchema,
  referralPatchSchema,
  suggestionFor,
} from "../../cases/referral-service.js";
import { agencyById } from "../../cases/agency-directory.js";
import type { Services } from "../../services.js";
import { requireRole } from "../auth.js";
import { caseErrorAsHttp, publicAgency } from "./agency-routes.js";
import { actorOf, publicReferral } from "./case-routes.js";

const idParams = z.object({ id: z.coerce.number().int().positive() });

export function referralRoutes(base: FastifyInstance, s: Services): void {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const shape = async (referral: Parameters<typeof publicReferral>[0]) => {
    const agency = (await agencyById(s.ctx.db, referral.agencyId))!;
    return publicReferral(referral, { id: agency.id, name: agency.name, type: agency.type, province: agency.province }, s.ctx.clock.now());
  };

  /** What the hotline's rule proposes for the case as it stands, and why. */
  app.get("/api/cases/:id/suggested-agency", { onRequest: requireRole(s, "agent", "supervisor"), schema: { params: idParams } }, async (request) => {
    const { id } = request.params;
    try {
      const suggestion = await suggestionFor(s.ctx.db, await caseFor(s.ctx.db, id, actorOf(request)));
      return { agency: suggestion.agency ? publicAgency(suggestion.agency) : null, rule: suggestion.rule, reason: suggestion.reason };
    } catch (err) {
      caseErrorAsHttp(err);
    }
  });

  app.post("/api/cases/:id/referrals", { onRequest: requireRole(s, "agent", "supervisor"), schema: { params: idParams, body: newReferralSchema.prefault({}) } }, async (request, reply) => {
    const { id } = request.params;
    const body = request.body;
    try {
      return reply.status(201).send(await shape(await createReferral(s.ctx, id, body, actorOf(request))));
    } catch (err) {
      caseErrorAsHttp(err);
    }
  });

  /**
   * What the agency reported back: the escalation desk's work (README), so supervisors only. Agents
   * refer; following the referral up is not theirs, and the page offers them no way to.
   */
  app.patch("/api/referrals/:id", { onRequest: requireRole(s, "supervisor"), schema: { params: idParams, body: referralPatchSchema } }, async (request) => {
    const { id } = request.params;
    const body = request.body;
    try {
      return await shape(await moveReferral(s.ctx, id, body, actorOf(request)));
    } catch (err) {
      caseErrorAsHttp(err);
    }
  });

  /** The escalation desk's list; notes stay on the case, where reading them is audited. */
  app.get("/api/referrals", { onRequest: requireRole(s, "supervisor"), schema: { querystring: referralFilterSchema } }, async (request) => {
    const filter = request.query;
    const now = s.ctx.clock.now();
    const { rows, total } = await listReferrals(s.ctx.db, filter, now);
    return {
      items: rows.map((r) => ({ ...publicReferral(r.referral, r.agency, now, false), case: r.case })),
      total,
      limit: filter.limit,
      offset: filter.offset,
    };
  });
}
