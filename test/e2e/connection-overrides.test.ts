import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { connectionOverrides } from "../../src/telephony/connection-overrides.js";
import { startCallCenter, type CallCenter } from "../support/call-center.js";
import { newCallSid, signedPost } from "../support/signed-post.js";
import { flatten, parseTwiml, type Verb } from "../support/twiml.js";
import { SIMULATOR_ACCOUNT_SID, SIMULATOR_HOTLINE_NUMBER } from "../../src/hotline.js";

let cc: CallCenter;
beforeAll(async () => {
  cc = await startCallCenter({ WEBHOOK_CONNECT_TIMEOUT_MS: "800", WEBHOOK_RETRY_COUNT: "2", WEBHOOK_RETRY_POLICY: "ct,5xx,rt" });
});
afterAll(async () => cc.stopAll());

const FRAGMENT = "#ct=800&rc=2&rp=ct,5xx,rt&rt=10000&tt=12000";

/** Every URL a TwiML document hands to Twilio: URL attributes and the text of Redirect and Play. */
function urlsIn(verbs: Verb[]): string[] {
  return flatten(verbs).flatMap((v) => [
    ...["action", "waitUrl", "statusCallback", "url"].map((a) => v.attrs[a]).filter((u): u is string => !!u),
    ...(v.name === "Redirect" || v.name === "Play" ? [v.text] : []),
  ]);
}

/** Under PUBLIC_BASE_URL, with exactly the configured overrides as its fragment. */
function expectOverrides(url: string) {
  const parsed = new URL(url);
  expect(parsed.origin, url).toBe(new URL(cc.baseUrl).origin);
  expect(parsed.hash, url).toBe(FRAGMENT);
}

describe("every URL the server hands to Twilio carries the webhook connection overrides", () => {
  it("the settings make the fragment, in Twilio's own spelling", () => {
    expect(`#${connectionOverrides(cc.config)}`).toBe(FRAGMENT);
  });

  it("in TwiML: the language menu's action, Redirect and Play URLs", async () => {
    const res = await signedPost(cc.baseUrl, "/twilio/voice", {
      AccountSid: SIMULATOR_ACCOUNT_SID,
      CallSid: newCallSid(),
      From: "+66830000001",
      To: SIMULATOR_HOTLINE_NUMBER,
      CallStatus: "ringing",
      Direction: "inbound",
    });
    expect(res.status).toBe(200);
    const verbs = parseTwiml(res.body);
    const urls = urlsIn(verbs);
    expect(flatten(verbs).map((v) => v.name)).toEqual(expect.arrayContaining(["Gather", "Redirect", "Play"]));
    expect(urls.length).toBeGreaterThan(2);
    for (const url of urls) expectOverrides(url);
  });

  it("in REST requests: the agent leg's Url and StatusCallback, and the caller's redirect to the conference, whose TwiML does the same", async () => {
    const placeCall = vi.spyOn(cc.hotline.services.carrier, "placeCall");
    const redirect = vi.spyOn(cc.hotline.services.carrier, "redirect");
    const agent = await cc.addAgent("Overrides", ["th"]);
    const caller = await cc.callIn("+66830000002", ["1", "1"]);
    const [leg] = cc.carrier.endpoint(agent.endpoint).ringing();
    leg!.answer();
    await cc.settle();

    const placed = placeCall.mock.calls.map(([req]) => req);
    expect(placed).toHaveLength(1);
    expectOverrides(placed[0]!.url);
    expectOverrides(placed[0]!.statusCallback!);
    expect(redirect.mock.calls.length).toBeGreaterThan(0);
    for (const [, url] of redirect.mock.calls) expectOverrides(url);

    // The conference TwiML the caller's redirect leads to: its waitUrl, statusCallback and action.
    const conference = await signedPost(cc.baseUrl, new URL(redirect.mock.calls[0]![1]).pathname, {
      AccountSid: SIMULATOR_ACCOUNT_SID,
      CallSid: caller.sid,
      From: "+66830000002",
      To: SIMULATOR_HOTLINE_NUMBER,
      CallStatus: "in-progress",
      Direction: "inbound",
    });
    const urls = urlsIn(parseTwiml(conference.body));
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) expectOverrides(url);
    placeCall.mockRestore();
    redirect.mockRestore();
    await caller.hangup();
    await cc.settle();
  });
});
