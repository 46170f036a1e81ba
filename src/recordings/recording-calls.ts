import { detached } from "../detached.js";
import type { Ctx } from "../events/event-log.js";
import type { Logger } from "../logger.js";
import type { TaskRunner } from "../tasks/task-runner.js";
import type { CarrierApi } from "../telephony/carrier-api.js";
import type { TwimlWriter } from "../telephony/twiml.js";
import { AudioProblem, normaliseAudio } from "./audio-normaliser.js";
import { callEnded, callPlaced, takeLost, takeStored, type SessionRow } from "./recording-sessions.js";

/** Seconds a supervisor's phone rings before the session gives up. */
const RING_SECONDS = 30;

/**
 * The carrier's side of a recording session, after each commit and retried by the task runner: calling the
 * supervisor's phone, and fetching a kept take from the carrier with the account's credentials.
 */
export class RecordingCalls {
  constructor(
    private readonly ctx: Ctx,
    private readonly carrier: CarrierApi,
    private readonly twiml: TwimlWriter,
    private readonly tasks: TaskRunner,
    private readonly from: string,
    private readonly log: Logger,
  ) {}

  call(session: SessionRow): void {
    const id = session.id;
    this.tasks.run(
      "call a supervisor to record a prompt",
      async () => {
        const sid = await this.carrier.placeCall({
          to: session.phone,
          from: this.from,
          url: this.twiml.url("/twilio/recording/answer", { session: id }),
          statusCallback: this.twiml.url("/twilio/recording/status", { session: id }),
          timeoutSeconds: RING_SECONDS,
        });
        await callPlaced(this.ctx, id, sid);
      },
      async () => {
        await callEnded(this.ctx, id, "failed");
      },
    );
  }

  fetchTake(sessionId: number, takeUrl: string): void {
    this.tasks.run(
      "fetch a kept recording",
      async () => {
        const bytes = await this.carrier.fetchRecording(takeUrl);
        try {
          await takeStored(this.ctx, sessionId, await normaliseAudio(bytes));
        } catch (err) {
          // A take the carrier gave us but we cannot read will not read better on a retry.
          if (!(err instanceof AudioProblem)) throw err;
          this.log.warn({ sessionId, problem: err.code }, "a kept recording could not be read");
          await takeLost(this.ctx, sessionId, err.message);
        }
      },
      (err) => detached(this.log, "record a recording that could not be fetched", () => takeLost(this.ctx, sessionId, `the recording could not be fetched: ${(err as Error).message}`)),
    );
  }
}
