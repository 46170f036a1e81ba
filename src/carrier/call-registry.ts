import type { SimCall } from "./sim-call.js";

/** Every leg the carrier has seen, live or ended, as Twilio keeps call records. */
export class CallRegistry {
  private readonly bySid = new Map<string, SimCall>();

  add(call: SimCall): void {
    this.bySid.set(call.sid, call);
  }

  get(sid: string): SimCall | undefined {
    return this.bySid.get(sid);
  }

  /** Newest first, as Twilio lists calls. */
  all(): SimCall[] {
    return [...this.bySid.values()].reverse();
  }

  live(): SimCall[] {
    return this.all().filter((c) => !c.ended);
  }
}
