import type { FastifyInstance } from "fastify";
import { and, desc, eq, gte, inArray, isNull, lte, or, sql, type Placeholder, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { countAll, first, tables, type Db, type Tables } from "../../../db/storage.js";
import { executed, prepared, statementName } from "../../../db/prepared.js";
import { attemptsOf, expireClaims, hasExpiredClaims, itemById, OPEN_STATUSES } from "../../callbacks/callback-store.js";
import { markOverdue, urgentFirst } from "../../callbacks/backlog-order.js";
import { CallbackError, assignItem, claimItem, correctLastAttempt } from "../../callbacks/callback-service.js";
import { publicItem } from "../../callbacks/callback-view.js";
import { inTransaction } from "../../events/event-log.js";
import { languageSchema } from "../../languages.js";
import { MISS_REASONS, speaksItemLanguage } from "../../callbacks/callback-rules.js";
import { recordReads } from "../../audit/audit-log.js";
import { offerClaimedCallback } from "../../queue/queue-service.js";
import type { Services } from "../../services.js";
import type { UserRow } from "../../users/user-store.js";
import { requireRole } from "../auth.js";
import { HttpError, notFound } from "../errors.js";
import { toCsv } from "../../csv-cell.js";

const iso = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString());
const STATUSES = ["open", "claimed", "reached", "unreachable", "not_callable"] as const;
const list = <T extends string>(values: readonly [T, ...T[]]) =>
  z.string().transform((v) => v.split(",")).pipe(z.array(z.enum(values)).min(1));

const filterSchema = z.object({
  status: list(STATUSES).optional(),
  language: z.string().transform((v) => v.split(",")).pipe(z.array(languageSchema).min(1)).optional(),
  reason: list(MISS_REASONS).optional(),
  overdue: z.enum(["true", "false"]).transform((v) => v === "true").optional(),
  from: z.iso.datetime({ offset: true }).or(z.iso.date()).transform((v) => Date.parse(v)).optional(),
  to: z.iso.datetime({ offset: true }).or(z.iso.date()).transform((v) => Date.parse(v)).optional(),
  /** The last digits of the caller's number, as a caller gives them on the phone ("ending in 4821"). */
  digits: z.string().regex(/^\d{2,15}$/, "digits: 2 to 15 digits, the end of the number").optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
type Filter = z.infer<typeof filterSchema>;

/** Supervisors see numbers (and that is audited); agents see them masked: the server dials for them. */
const seesNumbers = (user: UserRow | undefined) => user?.role === "supervisor" || user?.role === "admin";

/** The digits are a placeholder, so the compiled query is shared by every search (see `compile`). */
type Question = Omit<Filter, "limit" | "offset" | "digits"> & { digits?: string | Placeholder };

/**
 * Exactly the items still to call (the backlog's usual view) are asked as one index range, `to_call`, so
 * they are read in order (src/callbacks/backlog-order.ts); two statuses would have to be merged and sorted.
 */
function statusIn(callbacks: Tables["callbacks"], statuses: readonly (typeof STATUSES)[number][]): SQL {
  const asked = new Set(statuses);
  return asked.size === OPEN_STATUSES.length && OPEN_STATUSES.every((s) => asked.has(s)) ? eq(callbacks.toCall, true) : inArray(callbacks.status, [...asked]);
}

/** `callbacks` is the engine's table (from `tables(db)`) the query runs on. */
function where(callbacks: Tables["callbacks"], filter: Question, now: number | Placeholder, agent: UserRow | undefined): SQL | undefined {
  const parts: (SQL | undefined)[] = [
    filter.digits !== undefined ? sql`${callbacks.number} like '%' || ${filter.digits}` : undefined,
    filter.status ? statusIn(callbacks, filter.status) : undefined,
    filter.language ? inArray(callbacks.language, filter.language) : undefined,
    filter.reason ? inArray(callbacks.reason, filter.reason) : undefined,
    filter.overdue === true ? and(eq(callbacks.toCall, true), lte(callbacks.dueAt, now)) : undefined,
    filter.overdue === false ? sql`not (${callbacks.toCall} and ${callbacks.dueAt} <= ${now})` : undefined,
    filter.from !== undefined ? gte(callbacks.lastMissedAt, filter.from) : undefined,
    filter.to !== undefined ? lte(callbacks.firstMissedAt, filter.to) : undefined,
    // Agents work the items of the languages they speak (and those whose language was never chosen).
    agent ? or(isNull(callbacks.language), inArray(callbacks.language, agent.languages)) : undefined,
  ];
  return and(...parts.filter((p): p is SQL => p !== undefined));
}

function asHttp(err: unknown): never {
  if (err instanceof CallbackError) throw new HttpError(err.code === "not_found" ? 404 : err.code === "forbidden" ? 403 : 409, err.code, err.message);
  throw err;
}

const idParams = z.object({ id: z.coerce.number().int().positive() });


export function callbackRoutes(base: FastifyInstance, s: Services): void {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const load = async (request: { query: Filter; user?: UserRow }) => {
    const filter = request.query;
    const now = s.ctx.clock.now();
    if (await hasExpiredClaims(s.ctx.db, now)) await inTransaction(s.ctx, (tx) => expireClaims(tx, now));
    await markOverdue(s.ctx, now);
    const agent = request.user?.role === "agent" ? request.user : undefined;
    // Agents see numbers masked: finding an item by its number is a supervisor's search.
    if (agent && filter.digits !== undefined) throw new HttpError(403, "forbidden", "searching by the number's last digits needs the role supervisor");
    return { filter, now, agent };
  };

  /**
   * The page and count queries, compiled once per filter (the time, page and size are placeholders):
   * supervisors' screens ask the same question over and over, and building it cost as much as running it.
   */
  const compile = (db: Db, filter: Omit<Filter, "limit" | "offset">, agent: UserRow | undefined) => {
    const { callbacks } = tables(db);
    const NOW = sql.placeholder("now");
    const condition = where(callbacks, { ...filter, digits: filter.digits === undefined ? undefined : sql.placeholder("digits") }, NOW, agent);
    const page = db.select().from(callbacks).where(condition).orderBy(...urgentFirst(db)).limit(sql.placeholder("limit")).offset(sql.placeholder("offset"));
    const count = db.select({ n: countAll() }).from(callbacks).where(condition);
    // Named by their SQL text: every filter of one shape shares one statement per connection (the values
    // differ, the text does not).
    return { page: page.prepare(statementName(`callbacks page ${page.toSQL().sql}`)), count: count.prepare(statementName(`callbacks count ${count.toSQL().sql}`)) };
  };

  app.get("/api/callbacks", { onRequest: requireRole(s, "supervisor", "agent"), schema: { querystring: filterSchema } }, async (request) => {
    const { filter, now, agent } = await load(request);
    const { limit, offset, digits, ...question } = filter;
    const key = JSON.stringify([question, digits !== undefined, agent?.languages ?? null]);
    const db = s.ctx.db;
    const queries = prepared(db, `callbacks page ${key}`, () => compile(db, { ...question, digits }, agent));
    const rows = await executed(queries.page, { now, limit, offset, digits });
    const total = first(await executed(queries.count, { now, digits }))?.n ?? 0;
    const full = seesNumbers(request.user);
    // A search by number is audited as a search (never with the digits: the trail holds no numbers).
    const details = digits !== undefined ? { search: "digits" } : undefined;
    if (full && rows.length) await recordReads(s.ctx, { action: "callbacks_listed", userId: request.user?.id, ids: rows.map((r) => r.id), details });
    return { items: rows.map((r) => publicItem(r, now, full)), total, limit: filter.limit, offset: filter.offset };
  });

  /** The daily report: every matching item, one CSV row each. */
  app.get("/api/callbacks.csv", { onRequest: requireRole(s, "supervisor"), schema: { querystring: filterSchema } }, async (request, reply) => {
    const { filter, now, agent } = await load(request);
    const db = s.ctx.db;
    const { callbacks } = tables(db);
    const rows = await db.select().from(callbacks).where(where(callbacks, filter, now, agent)).orderBy(...urgentFirst(db));
    await recordReads(s.ctx, { action: "callbacks_exported", userId: request.user?.id, ids: rows.map((r) => r.id) });
    const header = ["id", "number", "language", "topic", "priority", "reason", "missedCalls", "firstMissedAt", "lastMissedAt", "dueAt", "overdue", "attempts", "status", "closedAt"];
    const lines = rows.map((r) => {
      const item = publicItem(r, now, true) as Record<string, unknown>;
      return header.map((h) => item[h]);
    });
    reply.type("text/csv; charset=utf-8").header("content-disposition", `attachment; filename="callbacks-${new Date(now).toISOString().slice(0, 10)}.csv"`);
    return toCsv(header, lines);
  });

  app.get("/api/callbacks/:id", { onRequest: requireRole(s, "supervisor", "agent"), schema: { params: idParams } }, async (request) => {
    const { id } = request.params;
    const item = await itemById(s.ctx.db, id);
    // An agent sees only what the list shows them: an item in a language they do not speak is not there.
    const agent = request.user?.role === "agent" ? request.user : undefined;
    if (!item || (agent && !speaksItemLanguage(agent, item))) throw notFound(`callback ${id}`);
    const full = seesNumbers(request.user);
    if (full) await recordReads(s.ctx, { action: "callback_viewed", userId: request.user?.id, callbackId: id, ids: [id] });
    const { calls } = tables(s.ctx.db);
    const missed = item.number
      ? await s.ctx.db.select({ sid: calls.sid, at: calls.createdAt, outcome: calls.outcome }).from(calls).where(eq(calls.fromE164, item.number)).orderBy(desc(calls.createdAt)).limit(50)
      : [];
    const attempts = await attemptsOf(s.ctx.db, id);
    return {
      ...publicItem(item, s.ctx.clock.now(), full),
      calls: missed.map((c) => ({ callSid: c.sid, at: iso(c.at), outcome: c.outcome })),
      attemptHistory: attempts.map((a) => ({ id: a.id, agentId: a.agentId, startedAt: iso(a.startedAt), endedAt: iso(a.endedAt), outcome: a.outcome })),
    };
  });

  app.post("/api/callbacks/:id/claim", { onRequest: requireRole(s, "agent"), schema: { params: idParams } }, async (request) => {
    const { id } = request.params;
    try {
      const item = await claimItem(s.ctx, id, request.user!, s.ctx.callbackPolicy);
      return publicItem(item, s.ctx.clock.now(), false);
    } catch (err) {
      asHttp(err);
    }
  });

  /** A supervisor hands an item to an agent; the agent's desktop hears callbacks.changed and shows it as theirs. */
  app.post(
    "/api/callbacks/:id/assign",
    { onRequest: requireRole(s, "supervisor"), schema: { params: idParams, body: z.strictObject({ agentId: z.string().min(1).max(64) }) } },
    async (request) => {
      const { id } = request.params;
      const { agentId } = request.body;
      try {
        const item = await assignItem(s.ctx, id, agentId, request.user!.id, s.ctx.callbackPolicy);
        // Masked: the supervisor's list already showed (and audited) the number.
        return publicItem(item, s.ctx.clock.now(), false);
      } catch (err) {
        asHttp(err);
      }
    },
  );

  /** Dial the agent, then the caller: the server places both legs. */
  app.post("/api/callbacks/:id/call", { onRequest: requireRole(s, "agent"), schema: { params: idParams } }, async (request, reply) => {
    const { id } = request.params;
    try {
      const entry = await offerClaimedCallback(s.ctx, id, request.user!.id);
      return reply.status(202).send({ id, entryId: entry.id, status: "dialling" });
    } catch (err) {
      asHttp(err);
    }
  });

  /** The outcome of the last attempt as the agent heard it: reached, voicemail, wrong number... */
  app.post("/api/callbacks/:id/outcome", { onRequest: requireRole(s, "agent", "supervisor"), schema: { params: idParams, body: z.object({ outcome: z.enum(["reached", "no_answer", "busy", "failed", "wrong_number", "voicemail"]) }) } }, async (request) => {
    const { id } = request.params;
    const { outcome } = request.body;
    try {
      const item = await correctLastAttempt(s.ctx, s.ctx.callbackPolicy, id, request.user!, outcome);
      return publicItem(item, s.ctx.clock.now(), seesNumbers(request.user));
    } catch (err) {
      asHttp(err);
    }
  });
}
