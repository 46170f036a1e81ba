import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HOTLINE, startHarness, twiml, type Harness } from "./harness.js";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const events = () => h.server.to("/conf-events").map((r) => r.params.StatusCallbackEvent);

/** The caller waits in room-1 (hearing /wait) until an agent joins; the agent's leaving ends it. */
function scriptRoom() {
  const room = (extra: string) =>
    twiml(`<Dial action="/after-dial"><Conference beep="false" waitUrl="/wait" statusCallback="/conf-events" statusCallbackEvent="start end join leave mute hold" ${extra}>room-1</Conference></Dial>`);
  h.server.on("/voice", room(`startConferenceOnEnter="false"`));
  h.server.on("/agent", room(`endConferenceOnExit="true"`));
  h.server.on("/wait", twiml(`<Say>please wait</Say><Pause length="20"/><Redirect>/wait</Redirect>`));
  h.server.on("/after-dial", twiml(`<Say>after the conference</Say>`));
}

describe("conferences", () => {
  it("plays the waitUrl until a participant that starts the conference joins, with Twilio's events", async () => {
    scriptRoom();
    const caller = h.carrier.placeCall({ from: "+66812345678" });
    await h.carrier.idle();
    expect(caller.state).toBe("conference");
    expect(caller.conference).toBe("room-1");
    expect(caller.heard()).toEqual(["please wait"]);
    await h.advance(20_000);
    expect(caller.heard()).toEqual(["please wait", "please wait"]);
    expect(h.carrier.conference("room-1")?.status).toBe("init");

    await h.client.calls.create({ to: "client:alice", from: HOTLINE, url: `${h.server.base}/agent` });
    h.carrier.endpoint("client:alice").answer(await h.carrier.endpoint("client:alice").waitForRing().then((c) => c.sid));
    await h.carrier.idle();
    const conf = h.carrier.conference("room-1");
    expect(conf?.status).toBe("in-progress");
    expect(conf?.participants).toHaveLength(2);
    await h.advance(60_000);
    expect(caller.heard()).toEqual(["please wait", "please wait"]);

    const [join] = h.server.to("/conf-events");
    expect(join?.signatureValid).toBe(true);
    expect(join?.params).toMatchObject({ StatusCallbackEvent: "participant-join", FriendlyName: "room-1", CallSid: caller.sid, Muted: "false", Hold: "false", StartConferenceOnEnter: "false" });
    expect(join?.params.ConferenceSid).toMatch(/^CF[0-9a-f]{32}$/);
    expect(events()).toEqual(["participant-join", "participant-join", "conference-start"]);
  });

  it("holds and mutes a participant through the Participants resource, then ends when the endConferenceOnExit agent leaves", async () => {
    scriptRoom();
    h.server.on("/hold-music", twiml(`<Play>/music/calm.mp3</Play><Pause length="30"/>`));
    const caller = h.carrier.placeCall({ from: "+66812345678" });
    const agentLeg = await h.client.calls.create({ to: "client:alice", from: HOTLINE, url: `${h.server.base}/agent` });
    h.carrier.endpoint("client:alice").answer();
    await h.carrier.idle();
    const conf = h.carrier.conference("room-1");
    if (!conf) throw new Error("no conference");

    const [listed] = await h.client.conferences.list({ friendlyName: "room-1", status: "in-progress" });
    expect(listed?.sid).toBe(conf.sid);
    const held = await h.client.conferences(conf.sid).participants(caller.sid).update({ hold: true, holdUrl: `${h.server.base}/hold-music` });
    expect(held.hold).toBe(true);
    await h.carrier.idle();
    expect(caller.transcript.at(-1)).toMatchObject({ verb: "play", url: `${h.server.base}/music/calm.mp3`, during: "hold" });
    await h.client.conferences(conf.sid).participants(caller.sid).update({ hold: false });
    await h.client.conferences(conf.sid).participants(caller.sid).update({ muted: true });
    const participants = await h.client.conferences(conf.sid).participants.list();
    expect(participants.find((p) => p.callSid === caller.sid)).toMatchObject({ muted: true, hold: false, status: "connected" });

    await h.client.calls(agentLeg.sid).update({ status: "completed" });
    await h.carrier.idle();
    expect(h.carrier.conference("room-1")?.status).toBe("completed");
    expect(events().slice(3)).toEqual(["participant-hold", "participant-unhold", "participant-mute", "participant-leave", "participant-leave", "conference-end"]);
    const end = h.server.to("/conf-events").at(-1);
    expect(end?.params).toMatchObject({ ReasonConferenceEnded: "participant-with-end-conference-on-exit-left", CallSidEndingConference: agentLeg.sid });
    // The caller's Dial is over: its action hears DialCallStatus, and the call goes on.
    expect(h.server.to("/after-dial").find((r) => r.params.CallSid === caller.sid)?.params.DialCallStatus).toBe("answered");
    expect(caller.heard().at(-1)).toBe("after the conference");
  });

  it("takes a participant out of the conference on a REST redirect", async () => {
    scriptRoom();
    h.server.on("/survey", twiml(`<Gather numDigits="1" action="/rated"><Say>rate us</Say></Gather>`));
    const caller = h.carrier.placeCall({ from: "+66812345678" });
    await h.client.calls.create({ to: "client:alice", from: HOTLINE, url: `${h.server.base}/agent` });
    h.carrier.endpoint("client:alice").answer();
    await h.carrier.idle();

    await h.client.calls(caller.sid).update({ url: `${h.server.base}/survey` });
    await h.carrier.idle();
    expect(caller.conference).toBeUndefined();
    expect(caller.state).toBe("gather");
    expect(h.carrier.conference("room-1")?.participants.map((p) => p.callSid)).not.toContain(caller.sid);
    expect(events().at(-1)).toBe("participant-leave");
  });

  it("dials a new party into a conference by name with the Participants resource, and kicks it", async () => {
    scriptRoom();
    const caller = h.carrier.placeCall({ from: "+66812345678" });
    await h.carrier.idle();
    const created = await h.client.conferences("room-1").participants.create({ from: HOTLINE, to: "+66822222222", label: "supervisor", endConferenceOnExit: false });
    expect(created.callSid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(created.status).toBe("queued");
    h.carrier.endpoint("+66822222222").answer();
    await h.carrier.idle();
    const conf = h.carrier.conference("room-1");
    expect(conf?.status).toBe("in-progress");
    expect(conf?.participants.map((p) => p.label)).toContain("supervisor");

    await h.client.conferences(conf?.sid ?? "").participants("supervisor").remove();
    await h.carrier.idle();
    const supervisorLeg = h.carrier.call(created.callSid);
    expect(supervisorLeg?.status).toBe("completed");
    expect(caller.state).toBe("conference");
    expect(h.carrier.conference("room-1")?.participants).toHaveLength(1);
  });

  it("ends the conference through the Conferences resource", async () => {
    scriptRoom();
    const caller = h.carrier.placeCall({ from: "+66812345678" });
    await h.carrier.idle();
    const sid = h.carrier.conference("room-1")?.sid ?? "";
    const ended = await h.client.conferences(sid).update({ status: "completed" });
    expect(ended.status).toBe("completed");
    expect(ended.reasonConferenceEnded).toBe("conference-ended-via-api");
    await h.carrier.idle();
    expect(caller.heard().at(-1)).toBe("after the conference");
    await expect(h.client.conferences("CF" + "0".repeat(32)).fetch()).rejects.toMatchObject({ status: 404 });
  });
});
