import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HOTLINE, startHarness, twiml, type Harness } from "./harness.js";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const SUPERVISOR = "+66833333333";

/** A caller and an agent talking in room-1, as the hotline connects them. */
async function talking() {
  const room = twiml(`<Dial><Conference beep="false" statusCallback="/conf-events" statusCallbackEvent="join leave mute modify">room-1</Conference></Dial>`);
  h.server.on("/voice", room);
  h.server.on("/agent", room);
  const caller = h.carrier.placeCall({ from: "+66812345678" });
  const agent = await h.client.calls.create({ to: "client:alice", from: HOTLINE, url: `${h.server.base}/agent` });
  h.carrier.endpoint("client:alice").answer();
  await h.carrier.idle();
  const conf = h.carrier.conference("room-1");
  if (!conf) throw new Error("no conference");
  return { caller: caller.sid, agent: agent.sid, conf: conf.sid };
}

async function dialSupervisor(conf: string, opts: { muted?: boolean; coaching?: boolean; callSidToCoach?: string }) {
  const created = await h.client.conferences(conf).participants.create({ from: HOTLINE, to: SUPERVISOR, endConferenceOnExit: false, beep: "false", ...opts });
  h.carrier.endpoint(SUPERVISOR).answer();
  await h.carrier.idle();
  return created;
}

/** Who hears whom, as [listener, speaker] pairs of names. */
function audio(legs: Record<string, string>) {
  const pairs: string[] = [];
  for (const [ln, l] of Object.entries(legs)) for (const [sn, s] of Object.entries(legs)) if (h.carrier.hears(l, s)) pairs.push(`${ln}<${sn}`);
  return pairs.sort();
}

describe("coaching a conference participant", () => {
  it("a muted participant hears both sides and is heard by nobody", async () => {
    const { caller, agent, conf } = await talking();
    const sup = await dialSupervisor(conf, { muted: true });
    expect(audio({ caller, agent, sup: sup.callSid })).toEqual(["agent<caller", "caller<agent", "sup<agent", "sup<caller"]);
  });

  it("a coach is heard by the coached agent only, and hears everyone, with Twilio's fields", async () => {
    const { caller, agent, conf } = await talking();
    const sup = await dialSupervisor(conf, { coaching: true, callSidToCoach: agent });
    expect(sup).toMatchObject({ coaching: true, callSidToCoach: agent });
    expect(audio({ caller, agent, sup: sup.callSid })).toEqual(["agent<caller", "agent<sup", "caller<agent", "sup<agent", "sup<caller"]);
    const fetched = await h.client.conferences(conf).participants(sup.callSid).fetch();
    expect(fetched).toMatchObject({ coaching: true, callSidToCoach: agent });
    const join = h.server.to("/conf-events").find((r) => r.params.CallSid === sup.callSid && r.params.StatusCallbackEvent === "participant-join");
    expect(join?.params).toMatchObject({ Coaching: "true", CallSidToCoach: agent });
  });

  it("switches between listening, coaching and barging in by updating the participant", async () => {
    const { caller, agent, conf } = await talking();
    const sup = await dialSupervisor(conf, { muted: true });
    const legs = { caller, agent, sup: sup.callSid };
    // CallSidToCoach alone turns coaching on, as Twilio documents.
    await h.client.conferences(conf).participants(sup.callSid).update({ muted: false, callSidToCoach: agent });
    expect(audio(legs)).toContain("agent<sup");
    expect(audio(legs)).not.toContain("caller<sup");
    await h.client.conferences(conf).participants(sup.callSid).update({ coaching: false });
    expect(audio(legs)).toEqual(["agent<caller", "agent<sup", "caller<agent", "caller<sup", "sup<agent", "sup<caller"]);
    expect((await h.client.conferences(conf).participants(sup.callSid).fetch()).callSidToCoach).toBeNull();
    await h.carrier.idle();
    expect(h.server.to("/conf-events").map((r) => r.params.StatusCallbackEvent)).toContain("participant-modify");
  });

  it("refuses coaching without a call to coach, or a call that is not in the room", async () => {
    const { conf, caller } = await talking();
    const sup = await dialSupervisor(conf, { muted: true });
    await expect(h.client.conferences(conf).participants(sup.callSid).update({ coaching: true })).rejects.toMatchObject({ status: 400 });
    await expect(h.client.conferences(conf).participants(sup.callSid).update({ callSidToCoach: "CA00000000000000000000000000000000" })).rejects.toMatchObject({ status: 400 });
    await expect(h.client.conferences(conf).participants.create({ from: HOTLINE, to: "+66844444444", coaching: true })).rejects.toMatchObject({ status: 400 });
    // Nothing changed for the caller: still heard, still hearing.
    expect(h.carrier.hears(sup.callSid, caller)).toBe(true);
  });

  it("a held participant hears nobody in the room and is heard by nobody", async () => {
    const { caller, agent, conf } = await talking();
    await h.client.conferences(conf).participants(caller).update({ hold: true });
    expect(audio({ caller, agent })).toEqual([]);
  });
});
