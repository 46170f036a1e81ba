import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readWav } from "../../src/recordings/wav-audio.js";
import { twilioCarrier } from "../../src/telephony/twilio-carrier.js";
import { ACCOUNT_SID, AUTH_TOKEN, startHarness, twiml, type Harness } from "./harness.js";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

describe("<Record>", () => {
  it("beeps, records until a finishing key, and posts RecordingUrl, RecordingSid, RecordingDuration and Digits to the action", async () => {
    h.server.on("/voice", twiml(`<Say>speak now</Say><Record action="/take" maxLength="30" finishOnKey="#" trim="trim-silence"/>`));
    h.server.on("/take", twiml(`<Say>thanks</Say>`));
    const call = h.carrier.placeCall({ from: "+66812345678" });
    await h.carrier.idle();
    expect(call.state).toBe("record");
    call.press("5"); // not a finishing key here
    await h.advance(4_000);
    call.press("#");
    await h.carrier.idle();

    expect(call.transcript.map((p) => p.verb)).toEqual(["say", "beep", "say"]);
    const [take] = h.server.to("/take");
    const [recording] = h.carrier.recordings();
    expect(take?.params).toMatchObject({
      RecordingSid: recording!.sid,
      RecordingUrl: `${h.origin}/2010-04-01/Accounts/${ACCOUNT_SID}/Recordings/${recording!.sid}`,
      RecordingDuration: "4",
      Digits: "#",
    });
    expect(take?.signatureValid).toBe(true);
  });

  it("ends a take at maxLength, and goes on to the next verb without the action when nothing was recorded", async () => {
    h.server.on("/voice", twiml(`<Record action="/take" maxLength="10" playBeep="false"/><Say>after</Say>`));
    h.server.on("/take", twiml(`<Record action="/empty"/><Say>nothing recorded</Say>`));
    const call = h.carrier.placeCall({ from: "+66812345678" });
    await h.carrier.idle();
    await h.advance(10_000);
    await h.carrier.idle();
    expect(h.server.to("/take")[0]?.params).toMatchObject({ RecordingDuration: "10", Digits: "" });
    // The second take is ended by a key at once: no audio, no action request.
    call.press("1");
    await h.carrier.idle();
    expect(h.server.to("/empty")).toEqual([]);
    expect(call.heard()).toEqual(["beep", "nothing recorded"]);
  });

  it("serves the take's audio under the REST API to the account's credentials only, as the server fetches it", async () => {
    h.server.on("/voice", twiml(`<Record action="/take" finishOnKey="#"/>`));
    const call = h.carrier.placeCall({ from: "+66812345678" });
    await h.carrier.idle();
    await h.advance(3_000);
    call.press("#");
    await h.carrier.idle();
    const url = h.server.to("/take")[0]!.params.RecordingUrl!;

    expect((await fetch(`${url}.wav`)).status).toBe(401);
    const carrierApi = twilioCarrier({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBaseUrl: h.origin });
    const wav = await carrierApi.fetchRecording(url);
    expect(readWav(wav)).toMatchObject({ sampleRate: 8000, channels: 1, durationMs: 3000 });
    // The credentials go to the Twilio API only: a RecordingUrl elsewhere is refused before any request.
    await expect(carrierApi.fetchRecording(url.replace(h.origin, "https://evil.example"))).rejects.toThrow(/not on the Twilio API/);
  });
});
