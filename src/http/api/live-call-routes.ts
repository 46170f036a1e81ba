import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { checkMayControl, LiveCallError, liveLegs, recordControl } from "../../calls/live-call.js";
import type { Services } from "../../services.js";
import { SIMULATOR_HOTLINE_NUMBER } from "../../simulator-credentials.js";
import { liveMonitor, MONITOR_MODES, recordMonitor } from "../../supervision/monitoring.js";
import { endpointSchema } from "../../telephony/endpoint.js";
import { LiveCallControl } from "../../telephony/live-call-control.js";
import { requireRole } from "../auth.js";
import { HttpError, parseOr400 } from "../errors.js";

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
export function liveCallRoutes(app: FastifyInstance, s: Services): void {
  const control = new LiveCallControl(s.carrier, s.twiml, s.config.HOTLINE_NUMBER ?? SIMULATOR_HOTLINE_NUMBER);
  const legsFor = (request: FastifyRequest) => {
    const { callSid } = parseOr400(callParams, request.params);
    const legs = liveLegs(s.ctx.db, callSid);
    checkMayControl(request.user!, legs);
    return legs;
  };
  const anyone = { preHandler: requireRole(s, "agent", "supervisor") };
  const supervisor = { preHandler: requireRole(s, "supervisor") };

  app.post("/api/calls/:callSid/hold", anyone, async (request) => {
    const { hold } = parseOr400(z.strictObject({ hold: z.boolean() }), request.body);
    try {
      const legs = legsFor(request);
      await control.hold(legs, hold);
      recordControl(s.ctx, legs, request.user!.id, "hold", hold);
      return { callSid: legs.callSid, hold };
    } catch (err) {
      asHttp(err);
    }
  });

  app.post("/api/calls/:callSid/mute", anyone, async (request) => {
    const { muted } = parseOr400(z.strictObject({ muted: z.boolean() }), request.body);
    try {
      const legs = legsFor(request);
      await control.mute(legs, muted);
      recordControl(s.ctx, legs, request.user!.id, "mute", muted);
      return { callSid: legs.callSid, muted };
    } catch (err) {
      asHttp(err);
    }
  });

  app.post("/api/calls/:callSid/hangup", anyone, async (request) => {
    try {
      const legs = legsFor(request);
      await control.hangup(legs);
      recordControl(s.ctx, legs, request.user!.id, "hangup", true);
      return { callSid: legs.callSid, hungUp: true };
    } catch (err) {
      asHttp(err);
    }
  });

  /** The supervisor's phone: the one given (a mobile, SIP or browser phone), else the one on their account. */
  app.post("/api/calls/:callSid/monitor", supervisor, async (request, reply) => {
    const body = parseOr400(z.strictObject({ mode, endpoint: endpointSchema.optional() }), request.body);
    try {
      const legs = legsFor(request);
      const endpoint = body.endpoint ?? request.user!.endpoint;
      if (!endpoint) throw new LiveCallError("no_endpoint", "give the phone to ring (endpoint): your account has none");
      const id = await control.addMonitor(legs, endpoint, body.mode);
      recordMonitor(s.ctx, legs, id, request.user!.id, { kind: "started", mode: body.mode });
      return reply.status(201).send({ id, callSid: legs.callSid, mode: body.mode, endpoint });
    } catch (err) {
      asHttp(err);
    }
  });

  app.patch("/api/calls/:callSid/monitor/:id", supervisor, async (request) => {
    const { id } = parseOr400(monitorParams, request.params);
    const body = parseOr400(z.strictObject({ mode }), request.body);
    try {
      const legs = legsFor(request);
      if (!liveMonitor(s.ctx.db, legs.callSid, id)) throw new LiveCallError("monitor_not_found", `no monitoring ${id} on this call`);
      await control.setMonitor(legs, id, body.mode);
      recordMonitor(s.ctx, legs, id, request.user!.id, { kind: "changed", mode: body.mode });
      return { id, callSid: legs.callSid, mode: body.mode };
    } catch (err) {
      asHttp(err);
    }
  });

  /** Stops monitoring; also allowed once the call itself has ended (the supervisor's leg may still ring). */
  app.delete("/api/calls/:callSid/monitor/:id", supervisor, async (request, reply) => {
    const { callSid, id } = parseOr400(monitorParams, request.params);
    const monitor = liveMonitor(s.ctx.db, callSid, id);
    if (!monitor) throw new HttpError(404, "monitor_not_found", `no monitoring ${id} on this call`);
    try {
      await control.removeMonitor(id);
    } catch (err) {
      // Already gone from the carrier: it ended, which is what was asked.
      if (!(err instanceof LiveCallError && err.code === "monitor_not_connected")) asHttp(err);
    }
    recordMonitor(s.ctx, { callSid, agentId: monitor.agentId }, id, request.user!.id, { kind: "ended" });
    return reply.status(204).send();
  });
}
