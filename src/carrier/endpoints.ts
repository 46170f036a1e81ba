import type { SimCall } from "./sim-call.js";

/**
 * How a called party behaves: "answer" picks up at once, "manual" rings until someone calls answer()
 * or reject() (or the ring timeout passes), "busy" and "fail" never ring through, "voicemail" picks up at
 * once as an answering machine: it presses no key, and answering-machine detection tells it apart.
 */
export type AnswerMode = "answer" | "manual" | "busy" | "fail" | "voicemail";

/** A phone the carrier can ring: client:<identity>, sip:<uri> or an E.164 number. */
export class SimEndpoint {
  mode: AnswerMode;
  /** Every leg that rang this endpoint, oldest first. */
  readonly calls: SimCall[] = [];
  private ringListeners: Array<(call: SimCall) => void> = [];
  private standing: Array<(call: SimCall) => void> = [];

  constructor(
    readonly address: string,
    mode: AnswerMode,
  ) {
    this.mode = mode;
  }

  setMode(mode: AnswerMode): this {
    this.mode = mode;
    return this;
  }

  /** Legs ringing here right now. */
  ringing(): SimCall[] {
    return this.calls.filter((c) => c.status === "ringing");
  }

  /** Picks up a ringing leg (the oldest, or the one given). */
  answer(callSid?: string): SimCall {
    const call = this.pick(callSid);
    call.answer();
    return call;
  }

  reject(callSid?: string): SimCall {
    const call = this.pick(callSid);
    call.reject();
    return call;
  }

  /** Resolves with a leg ringing here: one already ringing, else the next to ring. */
  waitForRing(): Promise<SimCall> {
    const current = this.ringing()[0];
    if (current) return Promise.resolve(current);
    return new Promise((resolve) => {
      const listener = (call: SimCall) => {
        this.ringListeners = this.ringListeners.filter((l) => l !== listener);
        resolve(call);
      };
      this.ringListeners.push(listener);
    });
  }

  /** Calls back on every leg that rings here from now on (a test's standing behaviour for a phone). */
  onRing(listener: (call: SimCall) => void): () => void {
    this.standing.push(listener);
    return () => (this.standing = this.standing.filter((l) => l !== listener));
  }

  /** Internal: the carrier rings this endpoint. */
  ring(call: SimCall): void {
    this.calls.push(call);
    for (const listener of [...this.ringListeners, ...this.standing]) listener(call);
  }

  private pick(callSid?: string): SimCall {
    const call = callSid ? this.calls.find((c) => c.sid === callSid) : this.ringing()[0];
    if (!call) throw new Error(`nothing is ringing at ${this.address}`);
    return call;
  }
}

export class EndpointRegistry {
  private readonly byAddress = new Map<string, SimEndpoint>();
  /** Unknown endpoints ring until a person (the web phone, a test) answers: production-simulator behaviour. */
  defaultMode: AnswerMode = "manual";

  get(address: string): SimEndpoint {
    let endpoint = this.byAddress.get(address);
    if (!endpoint) {
      endpoint = new SimEndpoint(address, this.defaultMode);
      this.byAddress.set(address, endpoint);
    }
    return endpoint;
  }

  all(): SimEndpoint[] {
    return [...this.byAddress.values()];
  }
}
