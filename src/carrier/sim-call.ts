import type { HttpMethod } from "./webhook-client.js";
import type { CallSession } from "./call-session.js";

export type CallStatus = "queued" | "ringing" | "in-progress" | "completed" | "busy" | "failed" | "no-answer" | "canceled";
export const FINAL_STATUSES: ReadonlySet<CallStatus> = new Set(["completed", "busy", "failed", "no-answer", "canceled"]);
export type Direction = "inbound" | "outbound-api" | "outbound-dial";

/** What the call is waiting on right now; "fetching" means a webhook is in flight. */
export type CallState = "queued" | "ringing" | "fetching" | "gather" | "record" | "pause" | "dial" | "bridged" | "conference" | "ended";

export type ProgressEvent = "initiated" | "ringing" | "answered" | "completed";

/** One thing the person on this leg heard. Say/Play take no time in the simulator. */
export interface HeardPrompt {
  verb: "say" | "play" | "beep" | "error";
  text?: string;
  url?: string;
  language?: string;
  voice?: string;
  loop?: number;
  /** Set when verifyMedia is on and the audio URL did not answer 2xx. */
  missing?: boolean;
  /** Where it was heard when not in the call's own TwiML. */
  during?: "gather" | "wait" | "hold" | "announce" | "whisper";
  at: number;
}

export interface GatherInfo {
  action?: string;
  method: HttpMethod;
  numDigits?: number;
  timeout: number;
  finishOnKey: string;
  actionOnEmptyResult: boolean;
}

export interface StatusSubscription {
  url: string;
  method: HttpMethod;
  events: ReadonlySet<ProgressEvent>;
}

/** How a leg is driven from outside: the carrier's lifecycle implements it. */
export interface CallControl {
  hangup(call: SimCall): Promise<void>;
  answer(call: SimCall): void;
  reject(call: SimCall): void;
}

export interface SimCallInit {
  sid: string;
  from: string;
  to: string;
  direction: Direction;
  status: CallStatus;
  parentCallSid?: string;
  createdAt: number;
  statusCallback?: StatusSubscription;
}

/** A call leg as a test (or the web phone) sees it: what was heard, what it waits on, and buttons. */
export class SimCall {
  readonly sid: string;
  readonly from: string;
  readonly to: string;
  readonly direction: Direction;
  readonly parentCallSid: string | undefined;
  readonly createdAt: number;
  status: CallStatus;
  state: CallState;
  readonly transcript: HeardPrompt[] = [];
  /** Keys pressed while no <Gather> listened: a phone drops them, so does the simulator. */
  droppedKeys = "";
  lastGather: GatherInfo | undefined;
  conference: string | undefined;
  startedAt: number | undefined;
  answeredAt: number | undefined;
  endedAt: number | undefined;
  statusCallback: StatusSubscription | undefined;
  /** Per-leg counter for status callbacks' SequenceNumber. */
  sequence = 0;
  /** Internal: who hears keys now (a Gather), the TwiML runner, and the ring timer. */
  keySink: ((digit: string) => void) | null = null;
  session: CallSession | undefined;
  cancelRing: (() => void) | undefined;
  onAnswered: ((call: SimCall) => void) | undefined;
  private listeners = new Set<() => void>();

  constructor(
    init: SimCallInit,
    private readonly control: CallControl,
  ) {
    this.sid = init.sid;
    this.from = init.from;
    this.to = init.to;
    this.direction = init.direction;
    this.parentCallSid = init.parentCallSid;
    this.createdAt = init.createdAt;
    this.status = init.status;
    this.state = init.status === "ringing" ? "ringing" : "queued";
    this.statusCallback = init.statusCallback;
  }

  /** Presses keys one after another; only a <Gather> in progress hears them. */
  press(digits: string): void {
    for (const digit of digits) {
      if (!/^[0-9*#]$/.test(digit)) throw new Error(`not a phone key: ${digit}`);
      if (this.keySink) this.keySink(digit);
      else this.droppedKeys += digit;
    }
  }

  /** The person on this leg hangs up. */
  hangup(): Promise<void> {
    return this.control.hangup(this);
  }

  /** For a ringing leg: the person picks up / declines. */
  answer(): void {
    this.control.answer(this);
  }

  reject(): void {
    this.control.reject(this);
  }

  /** Resolves when the call reaches the state (or the predicate holds); event-driven, never polls. */
  waitFor(target: CallState | ((call: SimCall) => boolean)): Promise<SimCall> {
    const test = typeof target === "string" ? (c: SimCall) => c.state === target : target;
    if (test(this)) return Promise.resolve(this);
    return new Promise((resolve) => {
      const off = this.onChange(() => {
        if (!test(this)) return;
        off();
        resolve(this);
      });
    });
  }

  /** Everything said or played so far, as text (Play as its URL), for quick assertions. */
  heard(): string[] {
    return this.transcript.map((p) => p.text ?? p.url ?? p.verb);
  }

  get ended(): boolean {
    return FINAL_STATUSES.has(this.status);
  }

  /** Seconds from answer to end (or to now while live), as Twilio bills and reports CallDuration. */
  durationSeconds(now: number): number {
    if (this.answeredAt === undefined) return 0;
    return Math.max(0, Math.round(((this.endedAt ?? now) - this.answeredAt) / 1000));
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  setState(state: CallState): void {
    this.state = state;
    this.changed();
  }

  hear(prompt: HeardPrompt): void {
    this.transcript.push(prompt);
    this.changed();
  }

  changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
