import { eq } from "drizzle-orm";
import { first, tables, type Db } from "../../db/storage.js";
import { detached } from "../detached.js";
import type { Ctx, DomainEvent } from "../events/event-log.js";
import type { Logger } from "../logger.js";
import type { UserRow } from "../users/user-store.js";
import { findCall } from "../calls/call-store.js";
import { controlState } from "../calls/live-call.js";
import { monitorsOf } from "../supervision/monitoring.js";
import type { BacklogSummary, LiveStats, Refusal, ServerMessage, ServerMessageOf } from "./messages.js";
import { screenPop } from "./screen-pop.js";
import { popShownSignal, POP_SHOWN_WAIT_MS, type PopReceipts } from "./pop-receipts.js";

/** The callback backlog as supervisors see it live. */
export interface BacklogView {
  summary(): Promise<BacklogSummary>;
  /** The next moment an open item becomes overdue, if any. */
  nextDeadline(): Promise<number | undefined>;
}

export interface Client {
  user: UserRow;
  send(message: ServerMessage): void;
  /** Ends the connection as unauthorised (WebSocket close 4401), saying why. */
  close(reason: Refusal): void;
}

/** The sends a push makes, once what they say has been read. */
type Delivery = () => void;
/** Reads what an event tells the sockets (`remote`: another instance committed it). */
type Reader = (e: DomainEvent, remote: boolean) => Promise<Delivery | undefined>;

/**
 * Who hears what: an agent only about its own calls and status; supervisors and admins the live
 * figures. Pushes follow committed events; supervisor figures are coalesced to one push per tick.
 * What a push says is read from the database asynchronously, but pushes are delivered one after the
 * other in the order they were started (the order of the events): a socket hears its events in order.
 */
export class RealtimeHub {
  private readonly clients = new Set<Client>();
  private figuresDue = false;
  private backlogDue = false;
  private cancelDeadline = () => {};
  private deadlineAt: number | undefined;
  /** A deadline being read (`armAgain`: read it again once done, something changed meanwhile). */
  private arming = false;
  private armAgain = false;
  private closed = false;
  /** The last push's delivery: the next one is delivered after it. */
  private delivered: Promise<void> = Promise.resolve();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly ctx: Ctx,
    private readonly figures: () => Promise<LiveStats>,
    private readonly log: Logger,
    private readonly backlog?: BacklogView,
    /** `receipts`: other instances' pops heard, where instances share the database (see `offerShown`). */
    private readonly opts: { wrapUpSeconds?: number; receipts?: PopReceipts } = {},
  ) {
    // Every instance's events: a page connected here sees what a webhook on another instance did.
    this.unsubscribe = ctx.bus.subscribeAll((e, remote) => this.onEvent(e, remote));
    this.armDeadline();
  }

  /**
   * Starts a push: `read` starts at once (reads of several pushes overlap), its delivery waits for every
   * earlier push's. A push that fails is logged and skipped; the ones after it are still delivered.
   */
  private push(what: string, read: () => Promise<Delivery | undefined>): void {
    const ready = read().then(
      (deliver) => () => deliver?.(),
      (err: unknown) => () => {
        throw err;
      },
    );
    const turn = this.delivered.then(async () => (await ready)());
    this.delivered = turn.catch(() => undefined);
    detached(this.log, what, () => turn);
  }

  /** Overdue is a matter of time, not of events: a timer fires when the next item's deadline passes. */
  private armDeadline(): void {
    if (!this.backlog || this.closed) return;
    // One read at a time, the last one again if anything changed meanwhile: an older read never wins.
    if (this.arming) {
      this.armAgain = true;
      return;
    }
    this.arming = true;
    detached(this.log, "arm the backlog deadline", async () => {
      try {
        do {
          this.armAgain = false;
          const at = await this.backlog?.nextDeadline();
          if (this.closed) return;
          this.setDeadline(at);
        } while (this.armAgain);
      } finally {
        this.arming = false;
      }
    });
  }

  private setDeadline(at: number | undefined): void {
    if (at === this.deadlineAt) return;
    this.cancelDeadline();
    this.deadlineAt = at;
    if (at === undefined) return;
    this.cancelDeadline = this.ctx.clock.setTimer(at - this.ctx.clock.now() + 1, () => {
      this.deadlineAt = undefined;
      this.scheduleBacklog();
      this.scheduleFigures();
      this.armDeadline();
    });
  }

  private hasSupervisors(): boolean {
    return [...this.clients].some((c) => c.user.role !== "agent");
  }

  private scheduleBacklog(): void {
    if (this.backlogDue || !this.backlog) return;
    this.backlogDue = true;
    setImmediate(() => {
      this.backlogDue = false;
      const { backlog } = this;
      if (!backlog || !this.hasSupervisors()) return;
      this.push("push the callback backlog", async () => {
        const summary = await backlog.summary();
        return () => this.toSupervisors({ type: "callbacks", ...summary });
      });
    });
  }

  private get db(): Db {
    return this.ctx.db;
  }

  /**
   * A client that (re)connects gets the current state at once: an agent mid-call gets its call again.
   * The greeting comes first; what is read for it follows, before any later push.
   */
  join(client: Client): () => void {
    this.clients.add(client);
    const { user } = client;
    const agent = user.role === "agent";
    client.send({ type: "hello", user: { id: user.id, name: user.name, role: user.role }, ...(agent ? { status: user.status, wrapUpSeconds: this.opts.wrapUpSeconds } : {}) });
    if (agent) {
      client.send(this.statusMessage(user.status, undefined, user.statusSince));
      const callSid = user.currentCallSid;
      if (callSid && (user.status === "offered" || user.status === "on_call" || user.status === "wrap_up")) {
        this.push("send a joining agent its call", async () => {
          const messages: ServerMessage[] = [];
          const pop = await screenPop(this.db, callSid, this.ctx.clock.now());
          if (pop) messages.push({ type: "call.offered", call: pop });
          if (user.status === "on_call") {
            // The talk time runs from the moment caller and agent met in the conference, not from now.
            messages.push({ type: "call.connected", callSid, connectedSeconds: pop?.connectedSeconds ?? 0 });
            messages.push({ type: "call.control", callSid, ...(await controlState(this.db, callSid)) });
            for (const m of await monitorsOf(this.db, callSid)) {
              if (m.endedAt === null) messages.push({ type: "call.monitored", callSid, mode: m.mode, by: await this.nameOf(m.supervisorId) });
            }
          }
          return () => this.toClient(client, messages);
        });
      }
    } else {
      const { backlog } = this;
      this.push("send a joining supervisor the figures", async () => {
        const messages: ServerMessage[] = [{ type: "stats", stats: await this.figures() }];
        if (backlog) messages.push({ type: "callbacks", ...(await backlog.summary()) });
        return () => this.toClient(client, messages);
      });
    }
    return () => this.clients.delete(client);
  }

  /** Messages to one client, unless it has left meanwhile. */
  private toClient(client: Client, messages: ServerMessage[]): void {
    if (!this.clients.has(client)) return;
    for (const m of messages) client.send(m);
  }

  /** An agent's status; in wrap-up with the seconds left before the server ends it. */
  private statusMessage(status: ServerMessageOf<"agent.status">["status"], reason: string | undefined, since: number): ServerMessage {
    const wrapUp = status === "wrap_up" && this.opts.wrapUpSeconds !== undefined;
    const left = wrapUp ? Math.max(0, Math.round(((this.opts.wrapUpSeconds ?? 0) * 1000 - (this.ctx.clock.now() - since)) / 1000)) : undefined;
    return { type: "agent.status", status, ...(reason === undefined ? {} : { reason }), ...(left === undefined ? {} : { wrapUpLeftSeconds: left }) };
  }

  private async nameOf(userId: string | null | undefined): Promise<string> {
    if (!userId) return "";
    const { users } = tables(this.db);
    return first(await this.db.select({ name: users.name }).from(users).where(eq(users.id, userId)))?.name ?? userId;
  }

  /**
   * Resolves once the screen-pop of an offer this instance committed has gone out wherever the agent's
   * page is, for the agent's phone to ring: this hub's pushes so far, and, when the agent has no page here
   * but instances share the database, the `pop.shown` signal of the instance their page is connected to —
   * at most POP_SHOWN_WAIT_MS, since the agent may have no page open anywhere. A page here is enough: the
   * agent sees the pop (another tab of theirs elsewhere is not waited for). One process (SQLite): no wait.
   */
  offerShown(offer: { agentId: string | null | undefined; eventId: number }): Promise<void> {
    const { receipts } = this.opts;
    const { agentId } = offer;
    if (!receipts || !agentId) return this.delivered;
    return this.delivered.then(async () => {
      if (!this.hasDesk(agentId)) await receipts.wait(offer.eventId, POP_SHOWN_WAIT_MS);
    });
  }

  /** Whether a page of this agent is connected to this instance. */
  hasDesk(agentId: string): boolean {
    for (const c of this.clients) if (c.user.id === agentId) return true;
    return false;
  }

  close(): void {
    this.closed = true;
    this.cancelDeadline();
    this.unsubscribe();
    this.clients.clear();
  }

  /** Signed-in sockets by role (a socket still waiting for its auth message is not counted): for /metrics. */
  countByRole(): Record<"admin" | "supervisor" | "agent", number> {
    const counts = { admin: 0, supervisor: 0, agent: 0 };
    for (const c of this.clients) counts[c.user.role] += 1;
    return counts;
  }

  size(): number {
    return this.clients.size;
  }

  /** Sends to every page of the agent here; how many there were. */
  private toAgent(agentId: string | null | undefined, message: ServerMessage): number {
    if (!agentId) return 0;
    let sent = 0;
    for (const c of this.clients) {
      if (c.user.id !== agentId) continue;
      c.send(message);
      sent += 1;
    }
    return sent;
  }

  /** A token that stopped being valid takes its open sockets with it, at the commit that killed it. */
  private closeFor(userId: unknown, reason: Refusal): void {
    for (const c of [...this.clients]) {
      if (c.user.id !== userId) continue;
      this.clients.delete(c);
      c.close(reason);
    }
  }

  private toSupervisors(message: ServerMessage): void {
    for (const c of this.clients) if (c.user.role !== "agent") c.send(message);
  }

  private scheduleFigures(): void {
    if (this.figuresDue) return;
    this.figuresDue = true;
    setImmediate(() => {
      this.figuresDue = false;
      if (!this.hasSupervisors()) return;
      this.push("push the live figures", async () => {
        try {
          const stats = await this.figures();
          return () => this.toSupervisors({ type: "stats", stats });
        } catch (err) {
          this.log.warn({ err: (err as Error).message }, "could not compute live figures");
          return undefined;
        }
      });
    });
  }

  /**
   * The reader of what an event of a type tells the sockets; undefined when it tells them nothing.
   * Most events (a call's arrival or status, a webhook's trail) tell no socket anything: they have no
   * reader, so they make no push at all, which on the webhook path was several promises per event for nothing.
   */
  private readerFor(type: string): Reader | undefined {
    return Object.hasOwn(this.readers, type) ? this.readers[type] : type.startsWith("callback.") ? this.callbacksChanged : undefined;
  }

  private readonly callbacksChanged: Reader = async () => () => {
    for (const c of this.clients) if (c.user.role === "agent") c.send({ type: "callbacks.changed" });
  };

  private readonly monitored: Reader = async (e) => {
    if (!e.callSid) return undefined;
    const mode = (e.data.mode ?? "ended") as ServerMessageOf<"call.monitored">["mode"];
    const message: ServerMessage = { type: "call.monitored", callSid: e.callSid, mode, by: await this.nameOf(e.userId) };
    return () => this.toAgent(e.data.agentId as string | null, message);
  };

  private readonly offerEnded: Reader = async (e) => {
    if (!e.callSid) return undefined;
    const callSid = e.callSid;
    const call = await findCall(this.db, callSid);
    // A call-back that reached a machine or nobody says so: the agent knows the retry schedule goes on.
    return () => this.toAgent(e.userId, { type: "call.ended", callSid, outcome: call?.outcome ?? null, reason: typeof e.data.reason === "string" ? e.data.reason : e.type });
  };

  private readonly transferChanged: Reader = async (e) => {
    const { callSid } = e;
    return callSid
      ? () => this.toAgent(e.userId, { type: "transfer.updated", callSid, transferId: Number(e.data.transferId), status: (e.data.to ?? "dialling") as ServerMessageOf<"transfer.updated">["status"], mode: e.data.mode as ServerMessageOf<"transfer.updated">["mode"] })
      : undefined;
  };

  private readonly readers: Record<string, Reader> = {
    "call.offered": async (e, remote) => {
      const pop = e.callSid ? await screenPop(this.db, e.callSid, e.at) : undefined;
      if (!pop) return undefined;
      return () => {
        const sent = this.toAgent(e.userId, { type: "call.offered", call: { ...pop, offeredAt: new Date(e.at).toISOString() } });
        // Another instance made this offer and waits for this before ringing the agent (`offerShown`).
        if (remote && sent) detached(this.log, "say the screen-pop was shown", () => this.ctx.storage.signal(popShownSignal(e.id)));
      };
    },
    "call.connected": async (e) => {
      if (!e.callSid) return undefined;
      const callSid = e.callSid;
      // Answering changes the screen-pop: the number's callback item is now reached.
      const pop = await screenPop(this.db, callSid, e.at);
      return () => {
        this.toAgent(e.userId, { type: "call.connected", callSid, connectedSeconds: 0 });
        if (pop) this.toAgent(e.userId, { type: "call.updated", call: pop });
      };
    },
    "call.control": async (e) => {
      if (!e.callSid || e.data.control === "hangup") return undefined;
      const message: ServerMessage = { type: "call.control", callSid: e.callSid, ...(await controlState(this.db, e.callSid)) };
      return () => this.toAgent(e.data.agentId as string | null, message);
    },
    "monitor.started": this.monitored,
    "monitor.changed": this.monitored,
    "monitor.ended": this.monitored,
    "agent.leg_ended": async (e) => {
      // The agent's side ended without the caller's call ending with them (a call-back, or after
      // handing the caller to an agency): the agent still needs to hear that their call is over.
      if (!e.callSid) return undefined;
      const callSid = e.callSid;
      const call = await findCall(this.db, callSid);
      const alreadyTold = call?.state === "ended" && call.agentId === e.userId && (call.endedAt ?? 0) >= (call.connectedAt ?? 0) && call.outcome === "answered";
      return alreadyTold ? undefined : () => this.toAgent(e.userId, { type: "call.ended", callSid, outcome: "answered", reason: "agent_leg_ended" });
    },
    "call.ended": async (e) => {
      const { callSid, userId } = e;
      return callSid && userId ? () => this.toAgent(userId, { type: "call.ended", callSid, outcome: String(e.data.outcome ?? "") }) : undefined;
    },
    "offer.missed": this.offerEnded,
    "offer.withdrawn": this.offerEnded,
    "transfer.started": this.transferChanged,
    "transfer.answered": this.transferChanged,
    "transfer.completed": this.transferChanged,
    "transfer.returned": this.transferChanged,
    "transfer.failed": this.transferChanged,
    "user.deactivated": async (e) => () => this.closeFor(e.data.id, "deactivated"),
    "user.token_rotated": async (e) => () => this.closeFor(e.data.id, "token_replaced"),
    "agent.status": async (e) => {
      // Wrap-up's seconds left are counted now, when the status changed.
      const message = this.statusMessage(e.data.to as ServerMessageOf<"agent.status">["status"], String(e.data.reason ?? ""), Number(e.data.since ?? e.at));
      return () => this.toAgent(e.userId, message);
    },
  };

  private onEvent(e: DomainEvent, remote: boolean): void {
    // "webhook": the trail, announced by instances of earlier versions (a rolling upgrade mixes them).
    const quiet = e.type.startsWith("audit.") || e.type === "webhook";
    const read = quiet ? undefined : this.readerFor(e.type);
    if (read) this.push(`push ${e.type}`, () => read(e, remote));
    if (e.type.startsWith("referral.")) this.armDeadline();
    if (e.type.startsWith("callback.")) {
      this.scheduleBacklog();
      this.armDeadline();
    }
    if (!quiet) this.scheduleFigures();
  }
}
