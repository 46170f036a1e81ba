import { detached } from "../detached.js";
import type { Ctx, DomainEvent } from "../events/event-log.js";
import type { Logger } from "../logger.js";
import { entryForCall } from "../queue/queue-store.js";
import type { TaskRunner } from "../tasks/task-runner.js";
import { agencyGone, liveConversation, setAgencyLeg, transferById } from "../transfers/transfer-service.js";
import type { CarrierApi } from "./carrier-api.js";
import { holdChange } from "./live-call-control.js";
import type { TwimlWriter } from "./twiml.js";

/** Seconds an agency's phone rings before the transfer counts as not answered. */
const AGENCY_RING_SECONDS = 30;

/**
 * Carries out transfers on the carrier: hold and unhold the caller, dial the agency into the caller's
 * conference, take the agent out. The caller's own call is never ended or re-dialled.
 */
export class TransferControl {
  private readonly unsubscribe: () => void;

  constructor(
    private readonly ctx: Ctx,
    private readonly carrier: CarrierApi,
    private readonly twiml: TwimlWriter,
    private readonly tasks: TaskRunner,
    private readonly hotlineNumber: string,
    private readonly log: Logger,
  ) {
    this.unsubscribe = ctx.bus.subscribe((e) => {
      if (e.type.startsWith("transfer.")) detached(this.log, `carry out ${e.type}`, () => this.onEvent(e));
    });
  }

  stop(): void {
    this.unsubscribe();
  }

  /** Runs steps in order as one retried task; steps on a conversation that has ended are skipped. */
  private run(name: string, callSid: string, steps: (conference: string, callerLeg: string) => Promise<void>, onGiveUp?: () => void): void {
    this.tasks.run(
      name,
      async () => {
        const live = await liveConversation(this.ctx.db, callSid);
        if (!live) return;
        const conference = await this.carrier.conferenceSid(callSid);
        if (!conference) throw new Error(`no live conference for ${callSid}`);
        await steps(conference, live.callerLeg);
      },
      onGiveUp,
    );
  }

  /** Holds or frees the caller's leg; the hold music is chosen by the call SID (their language). */
  private hold(conference: string, callSid: string, callerLeg: string, hold: boolean) {
    return this.carrier.updateParticipant(conference, callerLeg, holdChange(this.twiml, callSid, hold));
  }

  private async onEvent(e: DomainEvent): Promise<void> {
    if (!e.type.startsWith("transfer.") || !e.callSid) return;
    const callSid = e.callSid;
    const id = Number(e.data.transferId);
    const agent = (await entryForCall(this.ctx.db, callSid))?.agentLegSid ?? undefined;
    const t = await transferById(this.ctx.db, id);
    if (!t) return;
    const agencyLeg = typeof e.data.agencyLegSid === "string" ? e.data.agencyLegSid : t.agencyLegSid;
    switch (e.type) {
      case "transfer.started":
        this.run(
          "transfer: dial agency",
          callSid,
          async (conference, callerLeg) => {
            await this.hold(conference, callSid, callerLeg, true);
            const leg = await this.carrier.addParticipant(conference, {
              to: String(e.data.endpoint),
              from: this.hotlineNumber,
              statusCallback: this.twiml.url("/twilio/status", { transfer: id }),
              timeoutSeconds: AGENCY_RING_SECONDS,
              endConferenceOnExit: false,
            });
            await setAgencyLeg(this.ctx, id, leg);
            // Cold: the agent leaves now; the conference must outlive them.
            if (t.mode === "cold" && agent) {
              await this.carrier.updateParticipant(conference, agent, { endConferenceOnExit: false });
              await this.carrier.removeParticipant(conference, agent);
            }
          },
          async () => {
            await agencyGone(this.ctx, id, "failed");
          },
        );
        break;
      case "transfer.completed":
        this.run("transfer: join caller and agency", callSid, async (conference, callerLeg) => {
          await this.hold(conference, callSid, callerLeg, false);
          // From now on the agency hanging up ends the call, as the caller hanging up always did.
          if (agencyLeg) await this.carrier.updateParticipant(conference, agencyLeg, { endConferenceOnExit: true });
          if (t.mode === "warm" && agent) {
            await this.carrier.updateParticipant(conference, agent, { endConferenceOnExit: false });
            await this.carrier.removeParticipant(conference, agent);
          }
        });
        break;
      case "transfer.returned":
        this.run("transfer: caller back to the agent", callSid, async (conference, callerLeg) => {
          if (agencyLeg && e.data.from === "briefing") await this.carrier.removeParticipant(conference, agencyLeg).catch(() => undefined);
          else if (agencyLeg) await this.carrier.hangup(agencyLeg).catch(() => undefined);
          await this.hold(conference, callSid, callerLeg, false);
        });
        break;
      case "transfer.failed":
        this.log.info({ callSid, transferId: id }, "cold transfer not answered: caller back to the head of the queue");
        break;
    }
  }
}
