import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHotline, SIMULATOR_HOTLINE_NUMBER, type Hotline } from "../../src/hotline.js";
import { createLogger } from "../../src/logger.js";
import { twilioClient } from "../../src/telephony/twilio-carrier.js";
import { startCallCenter, type CallCenter } from "../support/call-center.js";
import { freePort } from "../support/hotline-fixture.js";
import { STAND_IN_ACCOUNT } from "../support/child-server.js";
import { signedPost } from "../support/signed-post.js";
import { parseTwiml } from "../../src/carrier/twiml/parse-twiml.js";
import { connectionOverrides } from "../../src/telephony/connection-overrides.js";

const run = promisify(execFile);
let cc: CallCenter;
let hotline: Hotline;
let client: ReturnType<typeof twilioClient>;

beforeAll(async () => {
  // Twilio mode, as on a real account: the setup command refuses the simulator's own credentials.
  cc = await startCallCenter({}, { twilioAccount: STAND_IN_ACCOUNT });
  hotline = cc.hotline;
  client = twilioClient({ ...STAND_IN_ACCOUNT, apiBaseUrl: cc.config.TWILIO_API_BASE_URL });
});
afterAll(async () => {
  await hotline.close();
  await cc.carrier.close();
});

/** Every webhook, REST request, server task and reconciliation finished. */
const settle = () => cc.carrier.idle(() => hotline.services.tasks.idle(), () => hotline.reconciled());

async function hotlineNumber() {
  const [number] = await client.incomingPhoneNumbers.list({ phoneNumber: SIMULATOR_HOTLINE_NUMBER });
  if (!number) throw new Error("the carrier does not list the hotline number");
  return number;
}

/** `npm run twilio:setup` as an operator runs it, against the built-in carrier. */
async function twilioSetup(...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, ["--import", "tsx", "scripts/twilio-setup.ts", ...args], {
    env: {
      ...process.env,
      TWILIO_ACCOUNT_SID: STAND_IN_ACCOUNT.accountSid,
      TWILIO_AUTH_TOKEN: STAND_IN_ACCOUNT.authToken,
      TWILIO_API_BASE_URL: cc.config.TWILIO_API_BASE_URL,
      PUBLIC_BASE_URL: cc.baseUrl,
      HOTLINE_NUMBER: SIMULATOR_HOTLINE_NUMBER,
      LOG_LEVEL: "silent",
    },
  });
  return stdout;
}

async function outageItems(): Promise<Array<{ number: string; reason: string; missedCalls: number }>> {
  const res = await cc.api("GET", "/api/callbacks?status=open&reason=outage&limit=500");
  expect(res.status).toBe(200);
  return (res.body.items as Array<{ number: string; reason: string; missedCalls: number }>).sort((a, b) => a.number.localeCompare(b.number));
}

describe("going live and outages", () => {
  it("npm run twilio:setup shows its plan on a dry run, then configures the number once; a second run has nothing to change", async () => {
    const { sid } = await hotlineNumber();
    await client.incomingPhoneNumbers(sid).update({ voiceUrl: `${cc.baseUrl}/old`, voiceFallbackUrl: "", statusCallback: "" });

    // Every URL carries the webhook connection overrides of the (default) settings as its fragment.
    const overrides = `#${connectionOverrides(cc.config)}`;
    const plan = await twilioSetup("--dry-run");
    expect(plan).toContain("would change (dry run)");
    expect(plan).toContain(`VoiceFallbackUrl: (none) -> ${cc.baseUrl}/twilio/fallback${overrides}`);
    expect((await hotlineNumber()).voiceUrl).toBe(`${cc.baseUrl}/old`);

    expect(await twilioSetup()).toContain(`VoiceUrl: ${cc.baseUrl}/old -> ${cc.baseUrl}/twilio/voice${overrides}`);
    expect(await hotlineNumber()).toMatchObject({
      voiceUrl: `${cc.baseUrl}/twilio/voice${overrides}`,
      voiceMethod: "POST",
      voiceFallbackUrl: `${cc.baseUrl}/twilio/fallback${overrides}`,
      voiceFallbackMethod: "POST",
      statusCallback: `${cc.baseUrl}/twilio/status${overrides}`,
      statusCallbackMethod: "POST",
    });
    expect(await twilioSetup("--number", SIMULATOR_HOTLINE_NUMBER)).toContain("nothing to change");

    // The configured number reaches the hotline's menu.
    const call = cc.carrier.placeCall({ from: "+66819999999" });
    await settle();
    expect(call.state).toBe("gather");
    await call.hangup();
    await settle();
  });

  it("when the voice URL fails, the fallback apologises in Thai and English, hangs up and leaves one outage callback item, however often it is asked", async () => {
    const { sid } = await hotlineNumber();
    await client.incomingPhoneNumbers(sid).update({ voiceUrl: `http://127.0.0.1:${await freePort()}/twilio/voice` });
    const call = cc.carrier.placeCall({ from: "+66810000001" });
    await settle();
    expect(call.ended).toBe(true);
    expect(call.transcript.map((p) => p.language)).toEqual(["th-TH", "en-US"]);
    expect(call.heard()[1]).toContain("call you back");
    const record = await cc.api("GET", `/api/calls/${call.sid}`);
    expect(record.body).toMatchObject({ state: "ended", outcome: "outage" });
    expect(await outageItems()).toEqual([expect.objectContaining({ number: "+66810000001", missedCalls: 1 })]);

    // Twilio repeating the fallback request changes nothing, and still gets a goodbye.
    const again = await signedPost(cc.baseUrl, "/twilio/fallback", {
      AccountSid: STAND_IN_ACCOUNT.accountSid,
      CallSid: call.sid,
      From: "+66810000001",
      To: SIMULATOR_HOTLINE_NUMBER,
      CallStatus: "ringing",
      Direction: "inbound",
      ErrorCode: "11200",
      ErrorUrl: "http://127.0.0.1:1/twilio/voice",
    }, { authToken: STAND_IN_ACCOUNT.authToken });
    expect(again.status).toBe(200);
    expect(parseTwiml(again.body).map((v) => v.name)).toEqual(["Say", "Say", "Hangup"]);
    await settle();
    expect(await outageItems()).toEqual([expect.objectContaining({ number: "+66810000001", missedCalls: 1 })]);
    await client.incomingPhoneNumbers(sid).update({ voiceUrl: `${cc.baseUrl}/twilio/voice` });
  });

  it("calls the carrier took while the server was down become one outage item each after it starts, and a later reconciliation adds none", async () => {
    await hotline.close();
    const missed = ["+66810000002", "+66810000003"].map((from) => cc.carrier.placeCall({ from }));
    await cc.carrier.idle();
    // Neither the voice URL nor its fallback answered: the carrier ended the calls with its own apology.
    for (const call of missed) expect(call.status).toBe("completed");

    hotline = await createHotline(cc.config, { clock: cc.clock, log: createLogger("silent") });
    await hotline.app.listen({ port: cc.config.PORT, host: "127.0.0.1" });
    cc.hotline = hotline;
    await hotline.start();
    await settle();

    const expected = [
      expect.objectContaining({ number: "+66810000001", missedCalls: 1 }),
      expect.objectContaining({ number: "+66810000002", reason: "outage", missedCalls: 1 }),
      expect.objectContaining({ number: "+66810000003", reason: "outage", missedCalls: 1 }),
    ];
    expect(await outageItems()).toEqual(expected);
    for (const call of missed) {
      expect((await cc.api("GET", `/api/calls/${call.sid}`)).body).toMatchObject({ state: "ended", outcome: "outage" });
    }
    expect((await hotline.services.figures()).lines.inUse).toBe(0);

    await cc.clock.advance((cc.config.RECONCILE_SECONDS + 1) * 1000);
    await settle();
    expect(await outageItems()).toEqual(expected);
  });
});
