import type { FastifyInstance } from "fastify";
import { asc, eq } from "drizzle-orm";
import { z } from "zod";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { tables } from "../../../db/storage.js";
import { findCall, type CallRow } from "../../calls/call-store.js";
import { recordReads } from "../../audit/audit-log.js";
import type { Services } from "../../services.js";
import { requireRole } from "../auth.js";
import { notFound } from "../errors.js";

const iso = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString());

/** The public shape of a call, as the contract names it. Numbers only reach roles allowed to see them. */
export function publicCall(call: CallRow) {
  return {
    callSid: call.sid,
    direction: call.direction,
    from: call.fromE164 ?? (call.fromRaw || "withheld"),
    language: call.language,
    topic: call.topic,
    priority: call.priority,
    state: call.state,
    outcome: call.outcome,
    agentId: call.agentId,
    queuePosition: call.queuePosition,
    createdAt: iso(call.createdAt),
    queuedAt: iso(call.queuedAt),
    offeredAt: iso(call.offeredAt),
    connectedAt: iso(call.connectedAt),
    endedAt: iso(call.endedAt),
    ivrPath: call.ivrPath.map((step) => ({ ...step, at: iso(step.at) })),
  };
}

export const callSidParams = z.object({ callSid: z.string().min(1).max(64) });

export function callRoutes(base: FastifyInstance, s: Services): void {
  const app = base.withTypeProvider<ZodTypeProvider>();
  app.get("/api/calls/:callSid", { onRequest: requireRole(s, "supervisor"), schema: { params: callSidParams } }, async (request) => {
    const { callSid } = request.params;
    const call = await findCall(s.ctx.db, callSid);
    if (!call) throw notFound(`call ${callSid}`);
    // Who looked at a caller's record is itself recorded.
    await recordReads(s.ctx, { action: "call_viewed", userId: request.user?.id, callSid, ids: [callSid] });
    const { events } = tables(s.ctx.db);
    const trail = (
      await s.ctx.db
        .select({ at: events.at, type: events.type, data: events.data })
        .from(events)
        .where(eq(events.callSid, callSid))
        .orderBy(asc(events.id))
    ).filter((e) => !e.type.startsWith("audit."));
    return { ...publicCall(call), events: trail.map((e) => ({ ...e, at: iso(e.at) })) };
  });
}
