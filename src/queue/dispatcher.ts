import type { Ctx, DomainEvent } from "../events/event-log.js";
import { inTransaction } from "../events/event-log.js";
import type { Logger } from "../logger.js";
import type { TaskRunner } from "../tasks/task-runner.js";
import { findAgent, moveAgent } from "../agents/presence.js";
import { entryById, offeredEntries } from "./queue-store.js";
import { makeOffers, missOffer, setAgentLeg, type Offer } from "./queue-service.js";
import { users } from "../../db/schema.js";
import { eq } from "drizzle-orm";

/** The carrier-side moves routing needs; src/telephony implements them, tests may watch them. */
export interface CallControl {
  /** Rings the agent's phone for an offer; resolves with the new leg's id. */
  ringAgent(offer: Offer): Promise<string>;
  /** Brings the caller out of the waiting loop into their conference. */
  connectCaller(callSid: string): Promise<void>;
  hangup(callSid: string): Promise<void>;
}

export interface DispatchTimes {
  offerTimeoutSeconds: number;
  wrapUpSeconds: number;
}

/** Extra time past the ring timeout before the server withdraws an offer the carrier never reported. */
const OFFER_GRACE_MS = 5_000;

/**
 * Runs routing whenever a call joins the queue or an agent frees up, and carries out what each committed
 * event asks of the carrier — after the commit and off the webhook's path, retried by the task runner.
 */
export class Dispatcher {
  private scheduled = false;
  private stopped = false;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly ctx: Ctx,
    private readonly control: CallControl,
    private readonly tasks: TaskRunner,
    private readonly times: DispatchTimes,
    private readonly log: Logger,
  ) {
    this.unsubscribe = ctx.bus.subscribe((e) => this.onEvent(e));
  }

  /** After a restart: pending offers and wrap-ups get their timers back, then routing runs. */
  resume(): void {
    const now = this.ctx.clock.now();
    for (const entry of offeredEntries(this.ctx.db)) {
      const age = now - (entry.offeredAt ?? now);
      this.armOfferTimer(entry.id, Math.max(0, this.times.offerTimeoutSeconds * 1000 + OFFER_GRACE_MS - age));
    }
    for (const agent of this.ctx.db.select().from(users).where(eq(users.status, "wrap_up")).all()) {
      this.armWrapUp(agent.id, agent.statusSince, Math.max(0, this.times.wrapUpSeconds * 1000 - (now - agent.statusSince)));
    }
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe();
  }

  /** Coalesces bursts of events into one routing pass. */
  schedule(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      if (!this.stopped) this.route();
    });
  }

  private route(): void {
    for (const offer of makeOffers(this.ctx)) this.ring(offer);
  }

  private ring(offer: Offer): void {
    this.armOfferTimer(offer.entry.id, this.times.offerTimeoutSeconds * 1000 + OFFER_GRACE_MS);
    this.tasks.run(
      "ring agent",
      async () => {
        const legSid = await this.control.ringAgent(offer);
        setAgentLeg(this.ctx, offer.entry.id, legSid);
        // The caller may have hung up, or the offer lapsed, while the phone was being dialled.
        const now = entryById(this.ctx.db, offer.entry.id);
        if (now?.status !== "offered" && !(now?.status === "connected" && now.agentLegSid === legSid)) await this.control.hangup(legSid);
      },
      () => missOffer(this.ctx, offer.entry.id, "agent_unreachable"),
    );
  }

  private armOfferTimer(entryId: number, ms: number): void {
    this.ctx.clock.setTimer(ms, () => {
      const entry = entryById(this.ctx.db, entryId);
      if (entry?.status === "offered") missOffer(this.ctx, entryId, "timeout");
    });
  }

  private armWrapUp(agentId: string, since: number, ms: number): void {
    this.ctx.clock.setTimer(ms, () => {
      inTransaction(this.ctx, (tx, record) => {
        const agent = findAgent(tx, agentId);
        // Only the wrap-up this timer was set for: not one the agent already ended, nor a later one.
        if (agent?.status === "wrap_up" && agent.statusSince === since) {
          moveAgent(tx, record, agent, "available", this.ctx.clock.now(), "wrap_up_elapsed", { currentCallSid: null });
        }
      });
    });
  }

  private hangupLater(sid: unknown, why: string): void {
    if (typeof sid !== "string" || !sid) return;
    this.tasks.run(why, () => this.control.hangup(sid));
  }

  private onEvent(e: DomainEvent): void {
    switch (e.type) {
      case "call.queued":
      case "offer.missed":
        if (e.type === "offer.missed") this.hangupLater(e.data.agentLegSid, "end missed offer leg");
        this.schedule();
        break;
      case "agent.status":
        if (e.data.to === "available") this.schedule();
        if (e.data.to === "wrap_up" && e.userId) this.armWrapUp(e.userId, Number(e.data.since), this.times.wrapUpSeconds * 1000);
        break;
      case "offer.withdrawn":
        this.hangupLater(e.data.agentLegSid, "cancel ringing agent");
        break;
      case "call.connected":
        if (e.data.kind === "live" && e.callSid) {
          const sid = e.callSid;
          this.tasks.run("connect caller", () => this.control.connectCaller(sid));
        }
        break;
      case "call.offered":
        break;
    }
  }
}
