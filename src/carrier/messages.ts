import type { CarrierCore } from "./core.js";
import { newSid, rfc2822 } from "./sids.js";

export type MessageStatus = "queued" | "sending" | "sent" | "delivered" | "undelivered" | "failed";

/** A text message the carrier took (Twilio's Message resource, the fields the hotline uses). */
export interface SimMessage {
  sid: string;
  to: string;
  from: string;
  body: string;
  status: MessageStatus;
  dateCreated: number;
  dateUpdated: number;
  statusCallback?: string;
}

/**
 * Texts sent through the Messages API, newest first. Delivery follows the recipient endpoint's mode: a
 * phone that answers or rings gets the text (queued → sent → delivered); a "busy" one never receives it
 * (undelivered); a "fail" one is not a number that takes texts (failed). Each step waits one clock second.
 */
export class MessageRegistry {
  private readonly messages: SimMessage[] = [];

  constructor(private readonly core: CarrierCore) {}

  send(init: { to: string; from: string; body: string; statusCallback?: string }): SimMessage {
    const now = this.core.clock.now();
    const message: SimMessage = { sid: newSid("SM"), status: "queued", dateCreated: now, dateUpdated: now, ...init };
    this.messages.unshift(message);
    const mode = this.core.endpoints.get(init.to).mode;
    const steps: MessageStatus[] = mode === "fail" ? ["failed"] : mode === "busy" ? ["sent", "undelivered"] : ["sent", "delivered"];
    this.advance(message, steps);
    return message;
  }

  all(): SimMessage[] {
    return [...this.messages];
  }

  bySid(sid: string): SimMessage | undefined {
    return this.messages.find((m) => m.sid === sid);
  }

  private advance(message: SimMessage, steps: MessageStatus[]): void {
    const [next, ...rest] = steps;
    if (!next) return;
    this.core.clock.setTimer(1_000, () => {
      message.status = next;
      message.dateUpdated = this.core.clock.now();
      this.report(message);
      this.advance(message, rest);
    });
  }

  /** Twilio's message status callback parameters. */
  private report(m: SimMessage): void {
    if (!m.statusCallback) return;
    const params: Record<string, string> = {
      AccountSid: this.core.config.accountSid,
      MessageSid: m.sid,
      SmsSid: m.sid,
      MessageStatus: m.status,
      SmsStatus: m.status,
      To: m.to,
      From: m.from,
      ApiVersion: "2010-04-01",
      Timestamp: rfc2822(this.core.clock.now()),
    };
    if (m.status === "failed" || m.status === "undelivered") params.ErrorCode = m.status === "failed" ? "30006" : "30003";
    this.core.callbacks.dispatch({ url: m.statusCallback, method: "POST", params });
  }
}
