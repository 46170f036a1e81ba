import { request, Agent, type ClientRequest, type IncomingMessage } from "node:http";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Carrier } from "../../src/carrier/index.js";
import { SIMULATOR_HOTLINE_NUMBER } from "../../src/hotline.js";
import { twilioSignature } from "../../src/telephony/signature.js";
import { AgentSocket } from "../support/call-center.js";
import { carrierFor, STAND_IN_ACCOUNT, startChildServer, type ChildServer } from "../support/child-server.js";
import { freePort, TEST_ADMIN_TOKEN } from "../support/hotline-fixture.js";
import { newCallSid } from "../support/signed-post.js";
import { parseTwiml } from "../support/twiml.js";
import { ManualClock } from "../../src/clock.js";

let server: ChildServer | undefined;
let carrier: Carrier | undefined;
afterAll(async () => {
  if (server?.process.exitCode === null) await server.kill();
  await carrier?.close();
});

/** Resolves with the answer and the connection it came on. */
function answerOf(req: ClientRequest): Promise<{ res: IncomingMessage; body: string }> {
  return new Promise((resolve, reject) => {
    req.once("error", reject);
    req.once("response", (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ res, body }));
    });
  });
}

describe("SIGTERM drains", () => {
  it("health turns 503 at once, live sockets are told to reconnect (1012), a webhook in flight gets its answer after the server stopped taking connections, and the process exits 0", async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const started = await carrierFor(port, new ManualClock(), STAND_IN_ACCOUNT);
    carrier = started.carrier;
    const dir = mkdtempSync(join(tmpdir(), "hotline-drain-"));
    server = await startChildServer({ port, dbFile: join(dir, "hotline.db"), carrierOrigin: started.origin, env: { DRAIN_GRACE_MS: "1500" } });

    const socket = await AgentSocket.open(`ws://127.0.0.1:${port}/ws`, TEST_ADMIN_TOKEN);
    await socket.next("hello");
    const socketClosed = new Promise<number>((resolve) => socket.ws.once("close", resolve));

    // A call's first webhook in flight: its headers and half its body have arrived when SIGTERM does.
    const params = { AccountSid: STAND_IN_ACCOUNT.accountSid, CallSid: newCallSid(), From: "+66840000001", To: SIMULATOR_HOTLINE_NUMBER, CallStatus: "ringing", Direction: "inbound" };
    const form = new URLSearchParams(params).toString();
    const webhook = request(`${base}/twilio/voice`, {
      method: "POST",
      agent: false,
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "content-length": String(Buffer.byteLength(form)),
        "x-twilio-signature": twilioSignature(STAND_IN_ACCOUNT.authToken, `${base}/twilio/voice`, params),
      },
    });
    const webhookAnswer = answerOf(webhook);
    await new Promise<void>((resolve) => webhook.write(form.slice(0, 20), () => resolve()));

    server.process.kill("SIGTERM");

    // Health says draining as soon as the signal is handled (until then it still says ok).
    for (;;) {
      const res = await fetch(`${base}/health`);
      if (res.status === 503) {
        expect(await res.json()).toEqual({ status: "draining" });
        break;
      }
      expect(res.status).toBe(200);
    }
    await socket.next("reconnect");
    expect(await socketClosed).toBe(1012);

    // An idle kept-alive connection is closed when the server stops taking connections.
    const keptAlive = request(`${base}/health`, { agent: new Agent({ keepAlive: true }) });
    const connectionClosed = new Promise((resolve) => keptAlive.once("socket", (s) => s.once("close", resolve)));
    const health = answerOf(keptAlive);
    keptAlive.end();
    expect((await health).res.statusCode).toBe(503);
    await connectionClosed;
    expect(server.process.exitCode).toBeNull();

    webhook.end(form.slice(20));
    const { res: answered, body } = await webhookAnswer;
    expect(answered.statusCode).toBe(200);
    expect(parseTwiml(body).map((v) => v.name)).toEqual(["Gather", "Redirect"]);

    expect(await server.exited).toBe(0);
  });
});
