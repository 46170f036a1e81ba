import type { Clock } from "../clock.js";
import type { HttpMethod } from "./webhook-client.js";
import { newSid } from "./sids.js";

/** What an IncomingPhoneNumber does with a call: Twilio's voice settings of the number. */
export interface VoiceSettings {
  voiceUrl: string;
  voiceMethod: HttpMethod;
  /** Requested when the Voice URL cannot be reached or answers with an error or unusable TwiML. */
  voiceFallbackUrl: string;
  voiceFallbackMethod: HttpMethod;
  /** Hears the end of every call to the number ("" for none). */
  statusCallback: string;
  statusCallbackMethod: HttpMethod;
}

/** A number on the account (Twilio's IncomingPhoneNumber): its settings change through the REST API. */
export interface IncomingNumber extends VoiceSettings {
  sid: string;
  phoneNumber: string;
  friendlyName: string;
  dateCreated: number;
  dateUpdated: number;
}

/** The account's numbers. The carrier serves one: the hotline number it was started with. */
export class NumberRegistry {
  private readonly numbers: IncomingNumber[] = [];

  constructor(private readonly clock: Clock) {}

  add(phoneNumber: string, settings: VoiceSettings): IncomingNumber {
    const now = this.clock.now();
    const number = { sid: newSid("PN"), phoneNumber, friendlyName: phoneNumber, dateCreated: now, dateUpdated: now, ...settings };
    this.numbers.push(number);
    return number;
  }

  bySid(sid: string): IncomingNumber | undefined {
    return this.numbers.find((n) => n.sid === sid);
  }

  /** The number a call to `to` reaches. */
  byNumber(to: string): IncomingNumber | undefined {
    return this.numbers.find((n) => n.phoneNumber === to);
  }

  all(): IncomingNumber[] {
    return [...this.numbers];
  }

  update(number: IncomingNumber, patch: Partial<VoiceSettings & { friendlyName: string }>): void {
    Object.assign(number, patch, { dateUpdated: this.clock.now() });
  }
}
