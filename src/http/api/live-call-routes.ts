import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { checkMayControl, LiveCallError, liveLegs, recordControl } from "../../calls/live-call.js";
import type { Services } from "../../services.js";
import { SIMULATOR_HOTLINE_NUMBER } from "../../simulator-credentials.js";
import { liveMonitor, MONITOR_MODES, recordMonitor } from "../../supervision/monitoring.js";
import { endpointSchema } from "../../telephony/endpoint.js";
import { LiveCallControl } from "../../telephony/live-call-control.js";
import { requireRole } from "../auth.js";
import { HttpError } from "../errors.js";
import type { ZodTypeProvider } from "fastify-type-provider-zod";

const STATUS = { not_found: 404, monitor_not_found: 404, not_your_call: 403, call_not_live: 409, no_endpoint: 409, monitor_not_connected: 409, carrier_unavailable: 503 } as const;

function asHttp(err: unknown): never {
  if (err instanceof LiveCallError) throw new HttpError(STATUS[err.code], err.code, err.message);
  throw err;
}

const callParams = z.object({ callSid: z.string().min(1).max(64) });
const monitorParams = callParams.extend({ id: z.string().min(1).max(64) });
const mode = z.enum(MONITOR_MODES);

/**
 * Hold, mute and hang up a live call (its agent, or a supervisor), and a supervisor's listen / whisper /
 * barge. The carrier's answer comes first; the event that records the move is written once it happened.
 */
export function liveCallRoutes(base: FastifyInstance, s: Services): void {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const control = new LiveCallControl(s.carrier, s.twiml, s.config.HOTLINE_NUMBER ?? SIMULATOR_HOTLINE_NUMBER);
  const legsFor = async (request: FastifyRequest & { params: { callSid: string } }) => {
    const legs = await liveLegs(s.ctx.db, request.params.callSid);
    checkMayControl(request.user!, legs);
    return legs;
  };
  const anyone = { onRequest: requireRole(s, "agent", "supervisor") };
  const supervisor = { onRequest: requireRole(s, "supervisor") };

  app.post("/api/calls/:callSid/hold", { ...anyone, schema: { params: callParams, body: z.strictObject({ hold: z.boolean() }) } }, async (request) => {
    const { hold } = request.body;
    try {
      const legs = await legsFor(request);
      await control.hold(legs, hold);
      await recordControl(s.ctx, legs, request.user!.id, "hold", hold);
      return { callSid: legs.callSid, hold };
    } catch (err) {
      asHttp(err);
    }
  });

  app.post("/api/calls/:callSid/mute", { ...anyone, schema: { params: callParams, body: z.strictObject({ muted: z.boolean() }) } }, async (request) => {
    const { muted } = request.body;
    try {
      const legs = await legsFor(request);
      await control.mute(legs, muted);
      await recordControl(s.ctx, legs, request.user!.id, "mute", muted);
      return { callSid: legs.callSid, muted };
    } catch (err) {
      asHttp(err);
    }
  });

  app.post("/api/calls/:callSid/hangup", { ...anyone, schema: { params: callParams } }, async (request) => {
    try {
      const legs = await legsFor(request);
      await control.hangup(legs);
      await recordControl(s.ctx, legs, request.user!.id, "hangup", true);
      return { callSid: legs.callSid, hungUp: true };
    } catch (err) {
      asHttp(err);
    }
  });

  /** The supervisor's phone: the one given (a mobile, SIP or browser phone), else the one on their account. */
  const monitorBody = z.strictObject({ mode, endpoint: endpointSchema.optional() });
  app.post("/api/calls/:callSid/monitor", { ...supervisor, schema: { params: callParams, body: monitorBody } }, async (request, reply) => {
    const body = request.body;
    try {
      const legs = await legsFor(request);
      const endpoint = body.endpoint ?? request.user!.endpoint;
      if (!endpoint) throw new LiveCallError("no_endpoint", "give the phone to ring (endpoint): your account has none");
      const id = await control.addMonitor(legs, endpoint, body.mode);
      await recordMonitor(s.ctx, legs, id, request.user!.id, { kind: "started", mode: body.mode });
      return reply.status(201).send({ id, callSid: legs.callSid, mode: body.mode, endpoint });
    } catch (err) {
      asHttp(err);
    }
  });

  app.patch("/api/calls/:callSid/monitor/:id", { ...supervisor, schema: { params: monitorParams, body: z.strictObject({ mode }) } }, async (request) => {
    const { id } = request.params;
    const body = request.body;
    try {
      const legs = await legsFor(request);
      if (!(await liveMonitor(s.ctx.db, legs.callSid, id))) throw new LiveCallError("monitor_not_found", `no monitoring ${id} on this call`);
      await control.setMonitor(legs, id, body.mode);
      await recordMonitor(s.ctx, legs, id, request.user!.id, { kind: "changed", mode: body.mode });
      return { id, callSid: legs.callSid, mode: body.mode };
    } catch (err) {
      asHttp(err);
    }
  });

  /** Stops monitoring; also allowed once the call itself has ended (the supervisor's leg may still ring). */
  app.delete("/api/calls/:callSid/monitor/:id", { ...supervisor, schema: { params: monitorParams } }, async (request, reply) => {
    const { callSid, id } = request.params;
    const monitor = await liveMonitor(s.ctx.db, callSid, id);
    if (!monitor) throw new HttpError(404, "monitor_not_found", `no monitoring ${id} on this call`);
    try {
      await control.removeMonitor(id);
    } catch (err) {
      // Already gone from the carrier: it ended, which is what was asked.
      if (!(err instanceof LiveCallError && err.code === "monitor_not_connected")) asHttp(err);
    }
    await recordMonitor(s.ctx, { callSid, agentId: monitor.agentId }, id, request.user!.id, { kind: "ended" });
    return reply.status(204).send();
  });
}
