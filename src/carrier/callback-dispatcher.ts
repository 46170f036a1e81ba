import type { Clock } from "../clock.js";
import type { WebhookClient, WebhookRequest } from "./webhook-client.js";
import type { WorkTracker } from "./work-tracker.js";

/**
 * A test's request to misdeliver matching callbacks, as Twilio may: "duplicate" sends it twice,
 * "delay" holds it back delayMs of clock time so later callbacks overtake it.
 */
export interface CallbackFault {
  kind: "duplicate" | "delay";
  /** Match on these callback parameters (all given ones must be equal), e.g. CallSid, CallStatus, StatusCallbackEvent. */
  match?: Record<string, string>;
  delayMs?: number;
  /** How many matching callbacks to affect (default 1). */
  times?: number;
}

interface ActiveFault extends CallbackFault {
  left: number;
}

/** Delivers status callbacks (call and conference) fire-and-forget, applying injected faults. */
export class CallbackDispatcher {
  private faults: ActiveFault[] = [];
  /** Every callback actually sent, in order: tests read it to check what the server was told. */
  readonly sent: WebhookRequest[] = [];

  constructor(
    private readonly webhooks: WebhookClient,
    private readonly tracker: WorkTracker,
    private readonly clock: Clock,
    private readonly onError: (err: unknown) => void,
  ) {}

  inject(fault: CallbackFault): void {
    this.faults.push({ ...fault, left: fault.times ?? 1 });
  }

  dispatch(req: WebhookRequest): void {
    const fault = this.takeFault(req.params);
    const deliver = () => this.tracker.spawn(() => this.send(req), this.onError);
    if (fault?.kind === "delay") {
      this.clock.setTimer(fault.delayMs ?? 1000, deliver);
      return;
    }
    deliver();
    if (fault?.kind === "duplicate") deliver();
  }

  private async send(req: WebhookRequest): Promise<void> {
    this.sent.push(req);
    await this.webhooks.send(req);
  }

  private takeFault(params: Record<string, string>): ActiveFault | undefined {
    const fault = this.faults.find((f) => Object.entries(f.match ?? {}).every(([k, v]) => params[k] === v));
    if (!fault) return undefined;
    fault.left--;
    if (fault.left <= 0) this.faults = this.faults.filter((f) => f !== fault);
    return fault;
  }
}
