import { LiveCallError, type LiveCallErrorCode, type LiveLegs } from "../calls/live-call.js";
import { participantFor, type MonitorMode } from "../supervision/monitoring.js";
import type { CarrierApi, ParticipantChange } from "./carrier-api.js";
import type { TwimlWriter } from "./twiml.js";

/** Seconds a supervisor's phone rings before monitoring is given up. */
const MONITOR_RING_SECONDS = 30;

/** Puts the caller's leg on hold (hearing the hold prompt in their language, chosen by the call SID) or back. */
export function holdChange(twiml: TwimlWriter, callSid: string, hold: boolean): ParticipantChange {
  return hold ? { hold: true, holdUrl: twiml.url("/twilio/hold", { call: callSid }) } : { hold: false };
}

/**
 * The moves on a live call that people make from their screens: hold, mute, hang up, and a supervisor's
 * leg that listens, whispers or barges in. Each is one REST request awaited by the request that asked
 * for it, so the screen learns at once whether it happened.
 */
export class LiveCallControl {
  constructor(
    private readonly carrier: CarrierApi,
    private readonly twiml: TwimlWriter,
    private readonly hotlineNumber: string,
  ) {}

  private async conference(callSid: string): Promise<string> {
    const sid = await this.move(() => this.carrier.conferenceSid(callSid));
    if (!sid) throw new LiveCallError("call_not_live", "the call's conference has ended");
    return sid;
  }

  /** A refused or failed REST request: a participant the carrier does not know is `missing`, the rest its outage. */
  private async move<T>(fn: () => Promise<T>, missing: LiveCallErrorCode = "call_not_live"): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof LiveCallError) throw err;
      const status = (err as { status?: number }).status;
      if (status === 404) throw new LiveCallError(missing, missing === "monitor_not_connected" ? "the supervisor's phone is not on the call" : "that leg is no longer on the call");
      throw new LiveCallError("carrier_unavailable", `the phone company did not carry it out: ${(err as Error).message}`);
    }
  }

  async hold(legs: LiveLegs, hold: boolean): Promise<void> {
    const conference = await this.conference(legs.callSid);
    await this.move(() => this.carrier.updateParticipant(conference, legs.callerLeg, holdChange(this.twiml, legs.callSid, hold)));
  }

  /** Mutes the agent's own leg in the conference: works for browser, SIP and mobile phones alike. */
  async mute(legs: LiveLegs, muted: boolean): Promise<void> {
    const conference = await this.conference(legs.callSid);
    await this.move(() => this.carrier.updateParticipant(conference, legs.agentLeg, { muted }));
  }

  /** Ends the agent's leg; the conference ends with it, and the agent's wrap-up starts (src/queue/connecting.ts). */
  async hangup(legs: LiveLegs): Promise<void> {
    await this.move(() => this.carrier.hangup(legs.agentLeg));
  }

  /** Dials the supervisor into the caller's conference; resolves with their leg's SID. */
  async addMonitor(legs: LiveLegs, endpoint: string, mode: MonitorMode): Promise<string> {
    const conference = await this.conference(legs.callSid);
    const { muted, coach } = participantFor(mode, legs.agentLeg);
    return this.move(() =>
      this.carrier.addParticipant(conference, {
        to: endpoint,
        from: this.hotlineNumber,
        statusCallback: this.twiml.url("/twilio/status", { monitor: legs.callSid }),
        timeoutSeconds: MONITOR_RING_SECONDS,
        // The supervisor leaving must leave the call as it was.
        endConferenceOnExit: false,
        muted,
        ...(coach ? { coach } : {}),
      }),
    );
  }

  async setMonitor(legs: LiveLegs, monitorLeg: string, mode: MonitorMode): Promise<void> {
    const conference = await this.conference(legs.callSid);
    await this.move(() => this.carrier.updateParticipant(conference, monitorLeg, participantFor(mode, legs.agentLeg)), "monitor_not_connected");
  }

  /** Ends the supervisor's leg, ringing or connected: the others stay. */
  async removeMonitor(monitorLeg: string): Promise<void> {
    await this.move(() => this.carrier.hangup(monitorLeg), "monitor_not_connected");
  }
}
