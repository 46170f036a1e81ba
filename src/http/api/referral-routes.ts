import type { FastifyInstance } from "fastify";
import { z } from "zod";
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
import { parseOr400 } from "../errors.js";
import { caseErrorAsHttp, publicAgency } from "./agency-routes.js";
import { actorOf, publicReferral } from "./case-routes.js";

const idParams = z.object({ id: z.coerce.number().int().positive() });

export function referralRoutes(app: FastifyInstance, s: Services): void {
  const shape = (referral: Parameters<typeof publicReferral>[0]) => {
    const agency = agencyById(s.ctx.db, referral.agencyId)!;
    return publicReferral(referral, { id: agency.id, name: agency.name, type: agency.type, province: agency.province }, s.ctx.clock.now());
  };

  /** What the hotline's rule proposes for the case as it stands, and why. */
  app.get("/api/cases/:id/suggested-agency", { preHandler: requireRole(s, "agent", "supervisor") }, async (request) => {
    const { id } = parseOr400(idParams, request.params);
    try {
      const suggestion = suggestionFor(s.ctx.db, caseFor(s.ctx.db, id, actorOf(request)));
      return { agency: suggestion.agency ? publicAgency(suggestion.agency) : null, rule: suggestion.rule, reason: suggestion.reason };
    } catch (err) {
      caseErrorAsHttp(err);
    }
  });

  app.post("/api/cases/:id/referrals", { preHandler: requireRole(s, "agent", "supervisor") }, async (request, reply) => {
    const { id } = parseOr400(idParams, request.params);
    const body = parseOr400(newReferralSchema, request.body ?? {});
    try {
      return reply.status(201).send(shape(createReferral(s.ctx, id, body, actorOf(request))));
    } catch (err) {
      caseErrorAsHttp(err);
    }
  });

  /**
   * What the agency reported back: the escalation desk's work (README), so supervisors only. Agents
   * refer; following the referral up is not theirs, and the page offers them no way to.
   */
  app.patch("/api/referrals/:id", { preHandler: requireRole(s, "supervisor") }, async (request) => {
    const { id } = parseOr400(idParams, request.params);
    const body = parseOr400(referralPatchSchema, request.body);
    try {
      return shape(moveReferral(s.ctx, id, body, actorOf(request)));
    } catch (err) {
      caseErrorAsHttp(err);
    }
  });

  /** The escalation desk's list; notes stay on the case, where reading them is audited. */
  app.get("/api/referrals", { preHandler: requireRole(s, "supervisor") }, async (request) => {
    const filter = parseOr400(referralFilterSchema, request.query);
    const now = s.ctx.clock.now();
    const { rows, total } = listReferrals(s.ctx.db, filter, now);
    return {
      items: rows.map((r) => ({ ...publicReferral(r.referral, r.agency, now, false), case: r.case })),
      total,
      limit: filter.limit,
      offset: filter.offset,
    };
  });
}
