import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { agenciesToCsv, readAgencyCsv } from "../../cases/agency-csv.js";
import {
  agencyFilterSchema,
  agencyPageSchema,
  agencyPatchSchema,
  createAgency,
  importAgencies,
  listAgencies,
  newAgencySchema,
  pageAgencies,
  updateAgency,
  type AgencyRow,
} from "../../cases/agency-directory.js";
import { AGENCY_TYPE_LABELS } from "../../cases/agency-types.js";
import { CaseError } from "../../cases/case-error.js";
import { provinceByCode } from "../../cases/provinces.js";
import type { Services } from "../../services.js";
import { requireRole } from "../auth.js";
import { HttpError, badRequest } from "../errors.js";

/** The one mapping of case, agency and referral refusals to HTTP, for the three route modules of that area. */
export function caseErrorAsHttp(err: unknown): never {
  if (err instanceof CaseError) {
    const status = ({ invalid: 400, not_found: 404, forbidden: 403, conflict: 409 } as const)[err.code];
    throw new HttpError(status, err.code === "invalid" ? "bad_request" : err.code, err.message);
  }
  throw err;
}

export function publicAgency(a: AgencyRow) {
  const province = provinceByCode(a.province);
  return {
    id: a.id,
    name: a.name,
    type: a.type,
    typeLabel: AGENCY_TYPE_LABELS[a.type],
    province: a.province,
    provinceName: province ? { th: province.nameTh, en: province.nameEn } : null,
    endpoint: a.endpoint,
    hours: a.hours,
    categories: a.categories,
    active: a.active,
    createdAt: new Date(a.createdAt).toISOString(),
  };
}

const idParams = z.object({ id: z.coerce.number().int().positive() });

export function agencyRoutes(base: FastifyInstance, s: Services): void {
  const app = base.withTypeProvider<ZodTypeProvider>();
  app.get("/api/agencies", { onRequest: requireRole(s, "agent", "supervisor"), schema: { querystring: agencyPageSchema } }, async (request) => {
    const page = request.query;
    const { rows, total } = await pageAgencies(s.ctx.db, page);
    return { items: rows.map(publicAgency), total, limit: page.limit, offset: page.offset };
  });

  app.post("/api/agencies", { onRequest: requireRole(s, "supervisor"), schema: { body: newAgencySchema } }, async (request, reply) => {
    const body = request.body;
    try {
      return reply.status(201).send(publicAgency(await createAgency(s.ctx, body, request.user!.id)));
    } catch (err) {
      caseErrorAsHttp(err);
    }
  });

  app.patch("/api/agencies/:id", { onRequest: requireRole(s, "supervisor"), schema: { params: idParams, body: agencyPatchSchema } }, async (request) => {
    const { id } = request.params;
    const patch = request.body;
    try {
      return publicAgency(await updateAgency(s.ctx, id, patch, request.user!.id));
    } catch (err) {
      caseErrorAsHttp(err);
    }
  });

  /** The directory as a spreadsheet, in the columns the import reads back. */
  app.get("/api/agencies.csv", { onRequest: requireRole(s, "supervisor"), schema: { querystring: agencyFilterSchema } }, async (request, reply) => {
    const rows = await listAgencies(s.ctx.db, request.query);
    const day = new Date(s.ctx.clock.now()).toISOString().slice(0, 10);
    reply.type("text/csv; charset=utf-8").header("content-disposition", `attachment; filename="agencies-${day}.csv"`);
    return agenciesToCsv(rows);
  });

  // Its own scope, so text/csv bodies are accepted by this route only.
  app.register(async (csv) => {
    csv.addContentTypeParser("text/csv", { parseAs: "string" }, (_request, body, done) => done(null, body));
    // A national directory runs to thousands of rows (about 100 bytes each): more than the API's usual limit.
    // ?dryRun=1: the same import rolled back, so the page shows each row's error before anything is written.
    const importQuery = z.object({ dryRun: z.enum(["1", "true", "0", "false"]).transform((v) => v === "1" || v === "true").default(false) });
    csv.post("/api/agencies/import", { onRequest: requireRole(s, "supervisor"), bodyLimit: 8 * 1024 * 1024, schema: { querystring: importQuery } }, async (request) => {
      const { dryRun } = request.query as z.infer<typeof importQuery>;
      if (typeof request.body !== "string") throw badRequest("send the directory as text/csv with the header row name,type,province,endpoint,hours,categories");
      const parsed = await readAgencyCsv(request.body);
      if (!parsed.ok) throw badRequest(parsed.message);
      const result = await importAgencies(s.ctx, parsed.rows, request.user!.id, { dryRun });
      return { ...result, dryRun, errors: [...parsed.errors, ...result.errors].sort((a, b) => a.line - b.line) };
    });
  });
}
