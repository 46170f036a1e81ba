import { createServer, type Server } from "node:http";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { freePort } from "../support/hotline-fixture.js";
import { startHarness, twiml, type Harness } from "./harness.js";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

async function pointNumberAt(settings: { voiceUrl: string; voiceFallbackUrl?: string; statusCallback?: string }) {
  const [number] = await h.client.incomingPhoneNumbers.list();
  await h.client.incomingPhoneNumbers(number!.sid).update(settings);
}

/** Answers 503 the first `failures` times, then the TwiML. */
function failingFirst(failures: number, answer: string) {
  let seen = 0;
  return () => (seen++ < failures ? { status: 503, body: "draining" } : answer);
}

const triesAt = (path: string) => h.carrier.webhookAttempts.filter((a) => new URL(a.url).pathname === path).map(({ retry, failure }) => ({ retry, failure }));

describe("webhook connection overrides (Twilio's URL fragment)", () => {
  it("a webhook answered 503 is retried as its fragment asks and the call goes on; no fragment reaches the server and every try is validly signed", async () => {
    h.server.on("/voice", failingFirst(2, twiml("<Say>hello</Say>")));
    h.server.on("/status", failingFirst(1, "<Response/>"));
    await pointNumberAt({ voiceUrl: `${h.server.base}/voice?lang=th#rc=3&rp=ct,5xx&ct=1000&tt=12000`, statusCallback: `${h.server.base}/status#rc=1&rp=5xx` });

    const call = h.carrier.placeCall({ from: "+66812345678" });
    await h.carrier.idle();

    expect(call.heard()).toEqual(["hello"]);
    expect(call.status).toBe("completed");
    const voice = h.server.to("/voice");
    expect(voice.map((r) => r.rawUrl)).toEqual(["/voice?lang=th", "/voice?lang=th", "/voice?lang=th"]);
    expect(voice.every((r) => r.signatureValid)).toBe(true);
    expect(triesAt("/voice")).toEqual([{ retry: 0, failure: "5xx" }, { retry: 1, failure: "5xx" }, { retry: 2, failure: undefined }]);
    const status = h.server.to("/status");
    expect(status.map((r) => [r.rawUrl, r.params.CallStatus, r.signatureValid])).toEqual([
      ["/status", "completed", true],
      ["/status", "completed", true],
    ]);
  });

  it("with rc=0 a 503 is not retried: the caller hears the application error", async () => {
    h.server.on("/voice", failingFirst(1, twiml("<Say>hello</Say>")));
    await pointNumberAt({ voiceUrl: `${h.server.base}/voice#rc=0&rp=all` });

    const call = h.carrier.placeCall({ from: "+66812345678" });
    await h.carrier.idle();

    expect(h.server.to("/voice")).toHaveLength(1);
    expect(call.transcript.map((p) => p.verb)).toEqual(["error"]);
    expect(call.ended).toBe(true);
  });

  it("a refused connection is retried rc times when rp lists ct, then the fallback is asked with the URL as the server knows it", async () => {
    const deadPort = await freePort();
    h.server.on("/fallback", twiml("<Say>sorry</Say><Hangup/>"));
    await pointNumberAt({ voiceUrl: `http://127.0.0.1:${deadPort}/voice#ct=100&rc=3&rp=ct`, voiceFallbackUrl: `${h.server.base}/fallback#rc=1` });

    const call = h.carrier.placeCall({ from: "+66812345678" });
    await h.carrier.idle();

    expect(triesAt("/voice")).toEqual([0, 1, 2, 3].map((retry) => ({ retry, failure: "ct" })));
    expect(call.heard()).toEqual(["sorry"]);
    const [fallback] = h.server.to("/fallback");
    expect(fallback?.rawUrl).toBe("/fallback");
    expect(fallback?.params).toMatchObject({ ErrorCode: "11200", ErrorUrl: `http://127.0.0.1:${deadPort}/voice` });
  });

  it("a refused connection is not retried when rp names only HTTP errors", async () => {
    await pointNumberAt({ voiceUrl: `http://127.0.0.1:${await freePort()}/voice#rc=5&rp=4xx,5xx` });
    h.carrier.placeCall({ from: "+66812345678" });
    await h.carrier.idle();
    expect(triesAt("/voice")).toEqual([{ retry: 0, failure: "ct" }]);
  });

  it("an answer that does not start within rt is abandoned and retried when rp lists rt", async () => {
    // A server that keeps its first request waiting forever and answers the second at once.
    const held: Array<() => void> = [];
    const slow: Server = createServer((req, res) => {
      req.resume();
      if (held.length === 0) held.push(() => res.destroy());
      else res.writeHead(200, { "content-type": "text/xml" }).end(twiml("<Say>late but here</Say>"));
    });
    await new Promise<void>((resolve) => slow.listen(0, "127.0.0.1", resolve));
    const port = (slow.address() as { port: number }).port;
    try {
      await pointNumberAt({ voiceUrl: `http://127.0.0.1:${port}/voice#rt=200&rc=1&rp=rt` });
      const call = h.carrier.placeCall({ from: "+66812345678" });
      await h.carrier.idle();
      expect(triesAt("/voice")).toEqual([{ retry: 0, failure: "rt" }, { retry: 1, failure: undefined }]);
      expect(call.heard()).toEqual(["late but here"]);
    } finally {
      for (const release of held) release();
      slow.closeAllConnections();
      await new Promise((resolve) => slow.close(resolve));
    }
  });
});
