import type { CarrierCore } from "./core.js";
import { newSid } from "./sids.js";

/** A take made by <Record> (Twilio's Recording resource, the fields the hotline uses). */
export interface SimRecording {
  sid: string;
  callSid: string;
  /** 8 kHz mono 16-bit PCM, as Twilio's .wav of a phone call. */
  wav: Buffer;
  durationSeconds: number;
  dateCreated: number;
}

/** Recordings the carrier made, served under its REST API (Recordings/{Sid}.wav) with the account's Basic auth. */
export class RecordingRegistry {
  private readonly recordings: SimRecording[] = [];

  constructor(private readonly core: CarrierCore) {}

  add(init: { callSid: string; wav: Buffer; durationSeconds: number }): SimRecording {
    const recording: SimRecording = { sid: newSid("RE"), dateCreated: this.core.clock.now(), ...init };
    this.recordings.unshift(recording);
    return recording;
  }

  bySid(sid: string): SimRecording | undefined {
    return this.recordings.find((r) => r.sid === sid);
  }

  /** Newest first. */
  all(): SimRecording[] {
    return [...this.recordings];
  }

  /** The RecordingUrl Twilio hands to a <Record> action: the resource's address, without an extension. */
  url(sid: string): string {
    if (!this.core.origin) throw new Error("carrier is not listening");
    return `${this.core.origin}/2010-04-01/Accounts/${this.core.config.accountSid}/Recordings/${sid}`;
  }
}
