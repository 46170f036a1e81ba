import type { CarrierCore } from "./core.js";
import { callParams } from "./call-params.js";
import { CallSession, type DocumentSource } from "./call-session.js";
import { newSid, rfc2822 } from "./sids.js";
import { SimCall, type CallControl, type CallStatus, type Direction, type ProgressEvent, type StatusSubscription } from "./sim-call.js";

export interface DialOutOptions {
  to: string;
  from: string;
  direction: Exclude<Direction, "inbound">;
  parent?: SimCall;
  /** Seconds to ring before giving up with no-answer. */
  timeoutSec: number;
  statusCallback?: StatusSubscription;
  /** What the leg does once picked up (run TwiML, join a conference); Dial bridges leave it empty. */
  onAnswered?: (call: SimCall) => void;
}

/** Status changes of every leg, and the status callbacks they fire, in one place. */
export class CallLifecycle implements CallControl {
  private readonly tails = new Map<string, Promise<void>>();

  constructor(private readonly core: CarrierCore) {}

  /**
   * A caller dials the hotline: Twilio asks the number's Voice URL what to do while the call rings,
   * and its fallback URL when that fails. A `to` that is no number of the account reaches the hotline's.
   */
  placeInbound(from: string, to: string): SimCall {
    const { config, clock, numbers } = this.core;
    const number = numbers.byNumber(to) ?? numbers.byNumber(config.hotlineNumber);
    if (!number) throw new Error("the hotline number is not on the account");
    const call = this.register({ sid: newSid("CA"), from, to, direction: "inbound", status: "ringing", createdAt: clock.now() });
    call.startedAt = clock.now();
    if (number.statusCallback) {
      // A number's Status Callback URL hears only the end of the call.
      call.statusCallback = { url: number.statusCallback, method: number.statusCallbackMethod, events: new Set(["completed"]) };
    }
    const fallback = number.voiceFallbackUrl ? { url: number.voiceFallbackUrl, method: number.voiceFallbackMethod } : undefined;
    // The call runs on by itself (a run logs its own failure): answering the caller does not wait for it.
    void this.sessionOf(call).run({ kind: "url", url: number.voiceUrl, method: number.voiceMethod, fallback });
    return call;
  }

  /** An outbound leg (REST-created or dialled by TwiML): queued → initiated → ringing → answered or not. */
  dialOut(opts: DialOutOptions): SimCall {
    const { clock, tracker, endpoints } = this.core;
    const call = this.register({
      sid: newSid("CA"),
      from: opts.from,
      to: opts.to,
      direction: opts.direction,
      status: "queued",
      parentCallSid: opts.parent?.sid,
      createdAt: clock.now(),
      statusCallback: opts.statusCallback,
    });
    call.onAnswered = opts.onAnswered;
    tracker.spawn(async () => {
      if (call.ended) return;
      call.startedAt = clock.now();
      this.notify(call, "initiated");
      call.status = "ringing";
      call.setState("ringing");
      this.notify(call, "ringing");
      call.cancelRing = clock.setTimer(opts.timeoutSec * 1000, () => void this.end(call, "no-answer"));
      const endpoint = endpoints.get(call.to);
      endpoint.ring(call);
      if (endpoint.mode === "answer" || endpoint.mode === "voicemail") this.answer(call);
      else if (endpoint.mode === "busy") void this.end(call, "busy");
      else if (endpoint.mode === "fail") void this.end(call, "failed");
    }, (err) => this.core.logger.error({ err }, "outbound leg failed to start"));
    return call;
  }

  answer(call: SimCall): void {
    if (call.ended || call.answeredAt !== undefined) return;
    if (call.direction !== "inbound" && call.status !== "ringing") return;
    call.cancelRing?.();
    call.status = "in-progress";
    call.answeredAt = this.core.clock.now();
    call.changed();
    this.notify(call, "answered");
    call.onAnswered?.(call);
  }

  /** A ringing leg declined by the person: the network reports busy. */
  reject(call: SimCall): void {
    if (call.status === "ringing" && call.direction !== "inbound") void this.end(call, "busy");
  }

  hangup(call: SimCall): Promise<void> {
    const unanswered = call.answeredAt === undefined;
    return this.end(call, unanswered ? (call.direction === "inbound" ? "canceled" : "busy") : "completed");
  }

  /** Runs new TwiML on a live leg, interrupting whatever it was doing (REST redirect). */
  redirect(call: SimCall, source: DocumentSource): void {
    void this.sessionOf(call).run(source);
  }

  /**
   * Ends a leg. The state changes at once; the status callback goes out after the leg's TwiML has
   * unwound (left its conference, hung up its Dial), so the server hears the leave before the end.
   */
  end(call: SimCall, status: CallStatus): Promise<void> {
    const existing = this.tails.get(call.sid);
    if (existing) return existing;
    call.cancelRing?.();
    call.status = status;
    call.endedAt = this.core.clock.now();
    call.keySink = null;
    call.setState("ended");
    const tail = this.core.tracker.track(
      (async () => {
        await call.session?.halt();
        this.notify(call, "completed");
      })(),
    );
    this.tails.set(call.sid, tail);
    return tail;
  }

  sessionOf(call: SimCall): CallSession {
    call.session ??= new CallSession(this.core, call);
    return call.session;
  }

  /** Sends a call progress event if the leg subscribed to it, with Twilio's status callback parameters. */
  notify(call: SimCall, event: ProgressEvent): void {
    const sub = call.statusCallback;
    if (!sub || !sub.events.has(event)) return;
    const { config, clock } = this.core;
    const params = callParams(call, config.accountSid);
    params.CallStatus = event === "initiated" ? "initiated" : event === "answered" ? "in-progress" : call.status;
    params.CallbackSource = "call-progress-events";
    params.SequenceNumber = String(call.sequence++);
    params.Timestamp = rfc2822(clock.now());
    if (event === "completed") {
      const seconds = call.durationSeconds(clock.now());
      params.CallDuration = String(seconds);
      params.Duration = String(Math.ceil(seconds / 60));
    }
    this.core.callbacks.dispatch({ url: sub.url, method: sub.method, params });
  }

  private register(init: ConstructorParameters<typeof SimCall>[0]): SimCall {
    const call = new SimCall(init, this);
    this.core.calls.add(call);
    return call;
  }
}
