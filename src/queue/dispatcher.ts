import type { Ctx, DomainEvent } from "../events/event-log.js";
import { inTransaction } from "../events/event-log.js";
import type { Logger } from "../logger.js";
import type { TaskRunner } from "../tasks/task-runner.js";
import { detached } from "../detached.js";
import { findAgent, moveAgent } from "../agents/presence.js";
import { entryById, offeredEntries, updateEntry } from "./queue-store.js";
import { enqueueRetry, makeOffers, missOffer, putBack, requeueCaller, setAgentLeg } from "./queue-service.js";
import { callBackEnded } from "./connecting.js";
import { tables } from "../../db/storage.js";
import { and, eq, isNotNull } from "drizzle-orm";
import { itemById } from "../callbacks/callback-store.js";
import { setAttemptLeg, startAttempt } from "../callbacks/callback-service.js";

/** The carrier-side moves routing needs; src/telephony implements them, tests may watch them. */
export interface CallControl {
  /** Rings the agent's phone for an offer; resolves with the new leg's id. */
  ringAgent(offer: { entryId: number; endpoint: string | null; agentId: string }): Promise<string>;
  /**
   * Calls a caller back for a virtual entry whose agent is on the line; resolves with the leg's id. The
   * carrier tells a machine from a person, so a voicemail is never taken for the caller.
   */
  dialCaller(entryId: number, number: string): Promise<string>;
  /** Brings the caller out of the waiting loop into their conference. */
  connectCaller(callSid: string): Promise<void>;
  /** Sends a caller (back) into the waiting loop, e.g. out of a conference whose transfer failed. */
  returnToQueue(callSid: string): Promise<void>;
  hangup(callSid: string): Promise<void>;
}

/** The offer whose screen-pop a ring waits for: its `call.offered` event and the agent offered. */
export interface OfferPop {
  agentId: string | null | undefined;
  eventId: number;
}

export interface DispatchTimes {
  offerTimeoutSeconds: number;
  wrapUpSeconds: number;
}

/** Extra time past the ring timeout before the server withdraws an offer the carrier never reported. */
const OFFER_GRACE_MS = 5_000;
/**
 * How long a phone agent who picked up may listen to the whisper before the offer lapses: the whisper's
 * own key timeout ends it sooner; this only covers a carrier that never came back.
 */
const WHISPER_WINDOW_MS = 60_000;

/**
 * Runs routing whenever a call joins the queue or an agent frees up, and carries out what each committed
 * event asks of the carrier — after the commit and off the webhook's path, retried by the task runner.
 */
export class Dispatcher {
  private scheduled = false;
  private stopped = false;
  private readonly unsubscribe: () => void;
  /** Resolves once an offer's screen-pop has gone out; see `ringAfterScreens`. */
  private screensSent: (offer: OfferPop) => Promise<void> = () => Promise.resolve();

  constructor(
    private readonly ctx: Ctx,
    private readonly control: CallControl,
    private readonly tasks: TaskRunner,
    private readonly times: DispatchTimes,
    private readonly log: Logger,
  ) {
    this.unsubscribe = ctx.bus.subscribeAll((e, remote) => this.onEvent(e, remote));
  }

  /** After a restart: pending offers and wrap-ups get their timers back, then routing runs. */
  async resume(): Promise<void> {
    const db = this.ctx.db;
    const { callbacks, users } = tables(db);
    const now = this.ctx.clock.now();
    for (const entry of await offeredEntries(db)) {
      const age = now - (entry.offeredAt ?? now);
      this.armOfferTimer(entry.id, entry.offeredAt, Math.max(0, this.times.offerTimeoutSeconds * 1000 + OFFER_GRACE_MS - age));
    }
    for (const agent of await db.select().from(users).where(eq(users.status, "wrap_up"))) {
      this.armWrapUp(agent.id, agent.statusSince, Math.max(0, this.times.wrapUpSeconds * 1000 - (now - agent.statusSince)));
    }
    const retries = await db
      .select({ id: callbacks.id, at: callbacks.nextAttemptAt })
      .from(callbacks)
      .where(and(eq(callbacks.status, "open"), isNotNull(callbacks.nextAttemptAt)));
    for (const r of retries) this.armRetry(r.id, Math.max(0, (r.at ?? now) - now));
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe();
  }

  /**
   * The screen-pop reaches the agent before their phone rings. The realtime hub reads and pushes it
   * asynchronously, after this event's listeners return — on another instance, after hearing the event —
   * so the ring waits for `sent`: the hub's pushes so far, and the pop wherever the agent's page is.
   */
  ringAfterScreens(sent: (offer: OfferPop) => Promise<void>): void {
    this.screensSent = sent;
  }

  /** Coalesces bursts of events into one routing pass. */
  schedule(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      if (!this.stopped) detached(this.log, "route waiting calls", () => this.route());
    });
  }

  private async route(): Promise<void> {
    // Offers are rung from their call.offered event, like offers made any other way.
    await makeOffers(this.ctx);
  }

  /** Rings the agent for an offer, once the screen-pop has gone out with the same event. */
  private async ring(entryId: number, offer: OfferPop): Promise<void> {
    await this.screensSent(offer);
    const entry = await entryById(this.ctx.db, entryId);
    const agent = entry?.agentId ? await findAgent(this.ctx.db, entry.agentId) : undefined;
    if (!entry || entry.status !== "offered" || !agent) return;
    this.armOfferTimer(entryId, entry.offeredAt, this.times.offerTimeoutSeconds * 1000 + OFFER_GRACE_MS);
    this.tasks.run(
      "ring agent",
      async () => {
        const legSid = await this.control.ringAgent({ entryId, endpoint: agent.endpoint, agentId: agent.id });
        await setAgentLeg(this.ctx, entryId, legSid);
        // The caller may have hung up, or the offer lapsed, while the phone was being dialled.
        const now = await entryById(this.ctx.db, entryId);
        const stillWanted = now?.status === "offered" || ((now?.status === "connecting" || now?.status === "connected") && now.agentLegSid === legSid);
        if (!stillWanted) await this.control.hangup(legSid);
      },
      async () => {
        await missOffer(this.ctx, entryId, "agent_unreachable");
      },
    );
  }

  /** The agent is on the line for a virtual entry: now the caller's phone rings. */
  private async dialBack(entryId: number): Promise<void> {
    const entry = await entryById(this.ctx.db, entryId);
    const item = entry?.callbackId ? await itemById(this.ctx.db, entry.callbackId) : undefined;
    if (!entry || !item?.number) return;
    const number = item.number;
    const attemptId = await startAttempt(this.ctx, item.id, entryId, entry.agentId);
    this.tasks.run(
      "call the caller back",
      async () => {
        const legSid = await this.control.dialCaller(entryId, number);
        await setAttemptLeg(this.ctx, attemptId, legSid);
        await inTransaction(this.ctx, (tx) => updateEntry(tx, entryId, { callbackLegSid: legSid }));
      },
      () => callBackEnded(this.ctx, entryId, "failed"),
    );
  }

  /** A timer that does nothing once the dispatcher has stopped: the database may be closed by then. */
  private later(ms: number, fn: () => void): void {
    this.ctx.clock.setTimer(ms, () => {
      if (!this.stopped) fn();
    });
  }

  private armRetry(callbackId: number, ms: number): void {
    this.later(ms, () =>
      detached(this.log, "queue a callback retry", async () => {
        if (await enqueueRetry(this.ctx, callbackId)) this.schedule();
      }),
    );
  }

  /**
   * Only the offer this timer was set for: a whisper that started since has a deadline of its own. Checked
   * in the transaction that withdraws it, so a whisper starting meanwhile is not cut short.
   */
  private armOfferTimer(entryId: number, offeredAt: number | null, ms: number): void {
    this.later(ms, () =>
      detached(this.log, "withdraw an offer not taken in time", () =>
        inTransaction(this.ctx, async (tx, record) => {
          const entry = await entryById(tx, entryId);
          if (entry?.status === "offered" && entry.offeredAt === offeredAt) await putBack(tx, record, entry, "timeout", this.ctx.clock.now());
        }),
      ),
    );
  }

  private armWrapUp(agentId: string, since: number, ms: number): void {
    this.later(ms, () =>
      detached(this.log, "end an elapsed wrap-up", () =>
        inTransaction(this.ctx, async (tx, record) => {
          const agent = await findAgent(tx, agentId);
          // Only the wrap-up this timer was set for: not one the agent already ended, nor a later one.
          if (agent?.status === "wrap_up" && agent.statusSince === since) {
            await moveAgent(tx, record, agent, "available", this.ctx.clock.now(), "wrap_up_elapsed", { currentCallSid: null });
          }
        }),
      ),
    );
  }

  private hangupLater(sid: unknown, why: string): void {
    if (typeof sid !== "string" || !sid) return;
    this.tasks.run(why, () => this.control.hangup(sid));
  }

  /**
   * Every instance hears every event. Routing runs on any of them, and every instance arms the timers an
   * event implies, so a timer still fires when the instance that set it has died; each acts only on the
   * state it was set for, in a transaction, so it acts once. What an event asks of the carrier (ring,
   * connect, hang up) is done by the instance that committed it, once (`remote` false).
   */
  private onEvent(e: DomainEvent, remote: boolean): void {
    switch (e.type) {
      case "call.requeued":
        if (e.callSid && !remote) {
          const sid = e.callSid;
          this.tasks.run("return caller to the queue", () => this.control.returnToQueue(sid));
        }
        this.schedule();
        break;
      case "call.queued":
      case "offer.missed":
        if (e.type === "offer.missed" && !remote) {
          this.hangupLater(e.data.agentLegSid, "end missed offer leg");
          this.hangupLater(e.data.callbackLegSid, "end call-back leg whose agent is gone");
        }
        this.schedule();
        break;
      case "agent.status":
        if (e.data.to === "available") this.schedule();
        if (e.data.to === "wrap_up" && e.userId) this.armWrapUp(e.userId, Number(e.data.since), this.times.wrapUpSeconds * 1000);
        break;
      case "offer.withdrawn":
        if (!remote) this.hangupLater(e.data.agentLegSid, "cancel ringing agent");
        break;
      case "offer.whisper":
        this.armOfferTimer(Number(e.data.entryId), Number(e.data.offeredAt), WHISPER_WINDOW_MS);
        break;
      case "offer.accepted":
        if (remote) break;
        if (e.data.kind === "live" && e.callSid) {
          const sid = e.callSid;
          const agentLeg = typeof e.data.agentLegSid === "string" ? e.data.agentLegSid : undefined;
          // If the caller cannot be brought in, they must not be left waiting for an agent who is gone:
          // the agent is released and the caller goes back to the head of the queue.
          this.tasks.run("connect caller", () => this.control.connectCaller(sid), async () => {
            await requeueCaller(this.ctx, sid, "connect_failed");
            this.hangupLater(agentLeg, "release agent whose caller could not be connected");
          });
        } else if (e.data.kind === "virtual") {
          const entryId = Number(e.data.entryId);
          queueMicrotask(() => detached(this.log, "call the caller back", () => this.dialBack(entryId)));
        }
        break;
      case "call.offered": {
        const entryId = Number(e.data.entryId);
        if (remote) {
          // The offering instance rings and arms the timeout; this one arms it too, should that one die.
          detached(this.log, "arm the timeout of another instance's offer", async () => {
            const entry = await entryById(this.ctx.db, entryId);
            if (entry?.status === "offered") this.armOfferTimer(entryId, entry.offeredAt, this.times.offerTimeoutSeconds * 1000 + OFFER_GRACE_MS);
          });
          break;
        }
        // After this event's other listeners, and once their pushes went out: the screen-pop reaches the
        // agent before the phone rings.
        const offer: OfferPop = { agentId: e.userId, eventId: e.id };
        queueMicrotask(() => detached(this.log, "ring agent", () => this.ring(entryId, offer)));
        break;
      }
      case "callback.attempt_finished":
      case "callback.attempt_corrected":
        if (typeof e.data.nextAttemptAt === "number" && e.callbackId) this.armRetry(e.callbackId, e.data.nextAttemptAt - e.at);
        break;
    }
  }
}
