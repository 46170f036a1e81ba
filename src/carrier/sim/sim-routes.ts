import { readFile } from "node:fs/promises";
import { projectPath } from "../../project-files.js";
import { z } from "zod";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { Carrier } from "../carrier.js";
import type { SimCall } from "../sim-call.js";

const PAGE = projectPath("web", "phone.html");
const FAVICON = projectPath("web", "favicon.svg");

const placeBody = z.object({ from: z.string().min(1).max(40), to: z.string().min(1).max(80).optional() });
const pressBody = z.object({ digits: z.string().regex(/^[0-9*#]{1,32}$/) });
const modeBody = z.object({ address: z.string().min(1).max(200), mode: z.enum(["answer", "manual", "busy", "fail", "voicemail"]) });
const sidParams = z.object({ sid: z.string().regex(/^CA[0-9a-f]{32}$/) });

export function callView(call: SimCall) {
  return {
    sid: call.sid,
    from: call.from,
    to: call.to,
    direction: call.direction,
    parentCallSid: call.parentCallSid ?? null,
    status: call.status,
    state: call.state,
    conference: call.conference ?? null,
    lastGather: call.lastGather ?? null,
    droppedKeys: call.droppedKeys,
    transcript: call.transcript,
  };
}

/**
 * The web phone's control API (JSON, local use only): place a call, press keys, hang up, and answer or
 * reject legs ringing at agents' endpoints so a person can play the agent.
 */
export function simRoutes(app: FastifyInstance, carrier: Carrier): void {
  const find = (params: unknown, reply: FastifyReply): SimCall | undefined => {
    const parsed = sidParams.safeParse(params);
    const call = parsed.success ? carrier.call(parsed.data.sid) : undefined;
    if (!call) void reply.code(404).send({ error: "not_found", message: "no such call" });
    return call;
  };
  const bad = (reply: FastifyReply, message: string) => reply.code(400).send({ error: "bad_request", message });

  app.get("/", async (_req, reply) => reply.type("text/html; charset=utf-8").send(await readFile(PAGE, "utf8")));
  app.get("/favicon.svg", async (_req, reply) => reply.type("image/svg+xml").send(await readFile(FAVICON)));

  app.get("/sim/state", async () => ({
    hotlineNumber: carrier.hotlineNumber,
    calls: carrier.calls().slice(0, 50).map(callView),
    ringing: carrier.liveCalls().filter((c) => c.status === "ringing" && c.direction !== "inbound").map(callView),
    // Texts the hotline sent (to missed callers): the test-call page shows them as a phone would.
    messages: carrier.messages().slice(0, 20).map((m) => ({ sid: m.sid, to: m.to, from: m.from, body: m.body, status: m.status })),
  }));

  app.post("/sim/calls", async (req, reply) => {
    const body = placeBody.safeParse(req.body);
    if (!body.success) return bad(reply, "from is required");
    return reply.code(201).send(callView(carrier.placeCall(body.data)));
  });

  app.get("/sim/calls/:sid", async (req, reply) => {
    const call = find(req.params, reply);
    return call ? callView(call) : reply;
  });

  app.post("/sim/calls/:sid/press", async (req, reply) => {
    const call = find(req.params, reply);
    if (!call) return reply;
    const body = pressBody.safeParse(req.body);
    if (!body.success) return bad(reply, "digits must be 0-9, * or #");
    call.press(body.data.digits);
    return callView(call);
  });

  for (const action of ["hangup", "answer", "reject"] as const) {
    app.post(`/sim/calls/:sid/${action}`, async (req, reply) => {
      const call = find(req.params, reply);
      if (!call) return reply;
      if (action === "hangup") void call.hangup();
      else call[action]();
      return callView(call);
    });
  }

  app.post("/sim/endpoints", async (req, reply) => {
    const body = modeBody.safeParse(req.body);
    if (!body.success) return bad(reply, "address and mode (answer|manual|busy|fail) are required");
    carrier.endpoint(body.data.address).setMode(body.data.mode);
    return { address: body.data.address, mode: body.data.mode };
  });
}
