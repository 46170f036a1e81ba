import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { maskNumber } from "../../calls/phone-number.js";
import { addCategory, listCategories, newCategorySchema } from "../../cases/case-categories.js";
import { caseFilterSchema, casePatchSchema, linkSchema, newCaseSchema } from "../../cases/case-schemas.js";
import { createCase, linkToCase, updateCase } from "../../cases/case-service.js";
import { caseFor, linksOf, referralsOf, searchCases, seesAllCases, type Actor, type CaseRow, type ReferralRow } from "../../cases/case-store.js";
import { provinceByCode } from "../../cases/provinces.js";
import { isOverdue } from "../../cases/referral-status.js";
import { wasOverridden } from "../../cases/referral-service.js";
import { recordReads } from "../../audit/audit-log.js";
import type { Services } from "../../services.js";
import { requireRole } from "../auth.js";
import { caseErrorAsHttp } from "./agency-routes.js";

const iso = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString());
export const actorOf = (request: FastifyRequest): Actor => ({ id: request.user!.id, role: request.user!.role });

/** Supervisors see the caller's number (and that is audited); agents see it masked, as in the callback backlog. */
export function publicCase(c: CaseRow, actor: Actor) {
  const province = provinceByCode(c.province);
  return {
    id: c.id,
    category: c.category,
    province: c.province,
    provinceName: province ? { th: province.nameTh, en: province.nameEn } : null,
    urgency: c.urgency,
    channel: c.channel,
    callerNumber: c.callerNumber && !seesAllCases(actor) ? maskNumber(c.callerNumber) : c.callerNumber,
    people: c.people,
    notes: c.notes,
    status: c.status,
    legalHold: c.legalHold,
    createdBy: c.createdBy,
    createdAt: iso(c.createdAt),
    updatedAt: iso(c.updatedAt),
  };
}

export function publicReferral(r: ReferralRow, agency: { id: number; name: string; type: string; province: string | null }, now: number, withNote = true) {
  return {
    id: r.id,
    caseId: r.caseId,
    agencyId: r.agencyId,
    agency,
    suggestedAgencyId: r.suggestedAgencyId,
    overridden: wasOverridden(r),
    rule: r.rule,
    status: r.status,
    dueAt: iso(r.dueAt),
    overdue: isOverdue(r, now),
    ...(withNote ? { note: r.note } : {}),
    createdBy: r.createdBy,
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
  };
}

/** Who read a caller's case is itself recorded: one event per case, so "who saw case N" is one query. */
async function auditViewed(s: Services, request: FastifyRequest, caseIds: number[], via: "case" | "list"): Promise<void> {
  await recordReads(s.ctx, ...caseIds.map((caseId) => ({ action: "case_viewed", userId: request.user?.id, ids: [caseId], details: { caseId, via } })));
}

const idParams = z.object({ id: z.coerce.number().int().positive() });

export function caseRoutes(base: FastifyInstance, s: Services): void {
  const app = base.withTypeProvider<ZodTypeProvider>();
  app.get("/api/case-categories", { onRequest: requireRole(s, "agent", "supervisor") }, async () => ({
    items: (await listCategories(s.ctx.db)).map((c) => ({ code: c.code, nameTh: c.nameTh, nameEn: c.nameEn, active: c.active })),
  }));

  app.post("/api/case-categories", { onRequest: requireRole(s, "supervisor"), schema: { body: newCategorySchema } }, async (request, reply) => {
    const body = request.body;
    try {
      const row = await addCategory(s.ctx, body, request.user!.id);
      return reply.status(201).send({ code: row.code, nameTh: row.nameTh, nameEn: row.nameEn, active: row.active });
    } catch (err) {
      caseErrorAsHttp(err);
    }
  });

  app.post("/api/cases", { onRequest: requireRole(s, "agent", "supervisor"), schema: { body: newCaseSchema } }, async (request, reply) => {
    const body = request.body;
    const actor = actorOf(request);
    try {
      return reply.status(201).send(publicCase(await createCase(s.ctx, body, actor), actor));
    } catch (err) {
      caseErrorAsHttp(err);
    }
  });

  app.get("/api/cases", { onRequest: requireRole(s, "supervisor"), schema: { querystring: caseFilterSchema } }, async (request) => {
    const filter = request.query;
    const actor = actorOf(request);
    const { rows, total } = await searchCases(s.ctx.db, filter);
    await auditViewed(s, request, rows.map((r) => r.id), "list");
    const items = rows.map((r) => {
      const { people: _people, notes: _notes, ...summary } = publicCase(r, actor);
      return { ...summary, referralStatus: r.referralStatus };
    });
    return { items, total, limit: filter.limit, offset: filter.offset };
  });

  app.get("/api/cases/:id", { onRequest: requireRole(s, "agent", "supervisor"), schema: { params: idParams } }, async (request) => {
    const { id } = request.params;
    const actor = actorOf(request);
    try {
      const c = await caseFor(s.ctx.db, id, actor);
      if (seesAllCases(actor)) await auditViewed(s, request, [id], "case");
      const now = s.ctx.clock.now();
      const links = await linksOf(s.ctx.db, id);
      const referrals = await referralsOf(s.ctx.db, id);
      return {
        ...publicCase(c, actor),
        links: links.map((l) => ({
          id: l.id,
          at: iso(l.at),
          callSid: l.callSid,
          callbackId: l.callbackId,
          call: l.callSid ? { outcome: l.callOutcome, state: l.callState, at: iso(l.callAt), agentId: l.callAgentId } : null,
          callback: l.callbackId ? { status: l.callbackStatus, reason: l.callbackReason } : null,
        })),
        referrals: referrals.map((r) => publicReferral(r.referral, r.agency, now)),
      };
    } catch (err) {
      caseErrorAsHttp(err);
    }
  });

  app.patch("/api/cases/:id", { onRequest: requireRole(s, "agent", "supervisor"), schema: { params: idParams, body: casePatchSchema } }, async (request) => {
    const { id } = request.params;
    const patch = request.body;
    const actor = actorOf(request);
    try {
      return publicCase(await updateCase(s.ctx, id, patch, actor), actor);
    } catch (err) {
      caseErrorAsHttp(err);
    }
  });

  app.post("/api/cases/:id/links", { onRequest: requireRole(s, "agent", "supervisor"), schema: { params: idParams, body: linkSchema } }, async (request, reply) => {
    const { id } = request.params;
    const link = request.body;
    try {
      const linked = await linkToCase(s.ctx, id, link, actorOf(request));
      const l = linked.link;
      return reply.status(linked.created ? 201 : 200).send({ id: l.id, caseId: l.caseId, callSid: l.callSid, callbackId: l.callbackId, at: iso(l.at) });
    } catch (err) {
      caseErrorAsHttp(err);
    }
  });
}
