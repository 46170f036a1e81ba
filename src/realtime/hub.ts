import type { Db } from "../../db/connection.js";
import type { Ctx, DomainEvent } from "../events/event-log.js";
import type { Logger } from "../logger.js";
import type { UserRow } from "../users/user-store.js";
import { eq } from "drizzle-orm";
import { users } from "../../db/schema.js";
import { findCall } from "../calls/call-store.js";
import { controlState } from "../calls/live-call.js";
import { monitorsOf } from "../supervision/monitoring.js";
import type { BacklogSummary, LiveStats, Refusal, ServerMessage, ServerMessageOf } from "./messages.js";
import { screenPop } from "./screen-pop.js";

/** The callback backlog as supervisors see it live. */
export interface BacklogView {
  summary(): BacklogSummary;
  /** The next moment an open item becomes overdue, if any. */
  nextDeadline(): number | undefined;
}

export interface Client {
  user: UserRow;
  send(message: ServerMessage): void;
  /** Ends the connection as unauthorised (WebSocket close 4401), saying why. */
  close(reason: Refusal): void;
}

/**
 * Who hears what: an agent only about its own calls and status; supervisors and admins the live
 * figures. Pushes follow committed events; supervisor figures are coalesced to one push per tick.
 */
export class RealtimeHub {
  private readonly clients = new Set<Client>();
  private figuresDue = false;
  private backlogDue = false;
  private cancelDeadline = () => {};
  private deadlineAt: number | undefined;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly ctx: Ctx,
    private readonly figures: () => LiveStats,
    private readonly log: Logger,
    private readonly backlog?: BacklogView,
    private readonly opts: { wrapUpSeconds?: number } = {},
  ) {
    this.unsubscribe = ctx.bus.subscribe((e) => this.onEvent(e));
    this.armDeadline();
  }

  /** Overdue is a matter of time, not of events: a timer fires when the next item's deadline passes. */
  private armDeadline(): void {
    const at = this.backlog?.nextDeadline();
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

  private scheduleBacklog(): void {
    if (this.backlogDue || !this.backlog) return;
    this.backlogDue = true;
    setImmediate(() => {
      this.backlogDue = false;
      if (!this.backlog || ![...this.clients].some((c) => c.user.role !== "agent")) return;
      this.toSupervisors({ type: "callbacks", ...this.backlog.summary() });
    });
  }

  private get db(): Db {
    return this.ctx.db;
  }

  /** A client that (re)connects gets the current state at once: an agent mid-call gets its call again. */
  join(client: Client): () => void {
    this.clients.add(client);
    const { user } = client;
    const agent = user.role === "agent";
    client.send({ type: "hello", user: { id: user.id, name: user.name, role: user.role }, ...(agent ? { status: user.status, wrapUpSeconds: this.opts.wrapUpSeconds } : {}) });
    if (agent) {
      client.send(this.statusMessage(user.status, undefined, user.statusSince));
      const callSid = user.currentCallSid;
      if (callSid && (user.status === "offered" || user.status === "on_call" || user.status === "wrap_up")) {
        const pop = screenPop(this.db, callSid, this.ctx.clock.now());
        if (pop) client.send({ type: "call.offered", call: pop });
        if (user.status === "on_call") {
          // The talk time runs from the moment caller and agent met in the conference, not from now.
          client.send({ type: "call.connected", callSid, connectedSeconds: pop?.connectedSeconds ?? 0 });
          client.send({ type: "call.control", callSid, ...controlState(this.db, callSid) });
          for (const m of monitorsOf(this.db, callSid)) if (m.endedAt === null) client.send({ type: "call.monitored", callSid, mode: m.mode, by: this.nameOf(m.supervisorId) });
        }
      }
    } else {
      client.send({ type: "stats", stats: this.figures() });
      if (this.backlog) client.send({ type: "callbacks", ...this.backlog.summary() });
    }
    return () => this.clients.delete(client);
  }

  /** An agent's status; in wrap-up with the seconds left before the server ends it. */
  private statusMessage(status: ServerMessageOf<"agent.status">["status"], reason: string | undefined, since: number): ServerMessage {
    const wrapUp = status === "wrap_up" && this.opts.wrapUpSeconds !== undefined;
    const left = wrapUp ? Math.max(0, Math.round(((this.opts.wrapUpSeconds ?? 0) * 1000 - (this.ctx.clock.now() - since)) / 1000)) : undefined;
    return { type: "agent.status", status, ...(reason === undefined ? {} : { reason }), ...(left === undefined ? {} : { wrapUpLeftSeconds: left }) };
  }

  private nameOf(userId: string | null | undefined): string {
    if (!userId) return "";
    return this.db.select({ name: users.name }).from(users).where(eq(users.id, userId)).get()?.name ?? userId;
  }

  close(): void {
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

  private toAgent(agentId: string | null | undefined, message: ServerMessage): void {
    if (!agentId) return;
    for (const c of this.clients) if (c.user.id === agentId) c.send(message);
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
      if ([...this.clients].some((c) => c.user.role !== "agent")) {
        try {
          this.toSupervisors({ type: "stats", stats: this.figures() });
        } catch (err) {
          this.log.warn({ err: (err as Error).message }, "could not compute live figures");
        }
      }
    });
  }

  private onEvent(e: DomainEvent): void {
    switch (e.type) {
      case "call.offered": {
        const pop = e.callSid ? screenPop(this.db, e.callSid, e.at) : undefined;
        if (pop) this.toAgent(e.userId, { type: "call.offered", call: { ...pop, offeredAt: new Date(e.at).toISOString() } });
        break;
      }
      case "call.connected":
        if (e.callSid) {
          this.toAgent(e.userId, { type: "call.connected", callSid: e.callSid, connectedSeconds: 0 });
          // Answering changes the screen-pop: the number's callback item is now reached.
          const pop = screenPop(this.db, e.callSid, e.at);
          if (pop) this.toAgent(e.userId, { type: "call.updated", call: pop });
        }
        break;
      case "call.control":
        if (e.callSid && e.data.control !== "hangup") this.toAgent(e.data.agentId as string | null, { type: "call.control", callSid: e.callSid, ...controlState(this.db, e.callSid) });
        break;
      case "monitor.started":
      case "monitor.changed":
      case "monitor.ended":
        if (e.callSid) {
          const mode = (e.data.mode ?? "ended") as ServerMessageOf<"call.monitored">["mode"];
          this.toAgent(e.data.agentId as string | null, { type: "call.monitored", callSid: e.callSid, mode, by: this.nameOf(e.userId) });
        }
        break;
      case "agent.leg_ended":
      {
        // The agent's side ended without the caller's call ending with them (a call-back, or after
        // handing the caller to an agency): the agent still needs to hear that their call is over.
        const call = e.callSid ? findCall(this.db, e.callSid) : undefined;
        const alreadyTold = call?.state === "ended" && call.agentId === e.userId && (call.endedAt ?? 0) >= (call.connectedAt ?? 0) && call.outcome === "answered";
        if (e.callSid && !alreadyTold) this.toAgent(e.userId, { type: "call.ended", callSid: e.callSid, outcome: "answered", reason: "agent_leg_ended" });
        break;
      }
      case "call.ended":
        if (e.callSid && e.userId) this.toAgent(e.userId, { type: "call.ended", callSid: e.callSid, outcome: String(e.data.outcome ?? "") });
        break;
      case "offer.missed":
      case "offer.withdrawn":
        if (e.callSid) {
          const call = findCall(this.db, e.callSid);
          // A call-back that reached a machine or nobody says so: the agent knows the retry schedule goes on.
          this.toAgent(e.userId, { type: "call.ended", callSid: e.callSid, outcome: call?.outcome ?? null, reason: typeof e.data.reason === "string" ? e.data.reason : e.type });
        }
        break;
      case "transfer.started":
      case "transfer.answered":
      case "transfer.completed":
      case "transfer.returned":
      case "transfer.failed":
        if (e.callSid) this.toAgent(e.userId, { type: "transfer.updated", callSid: e.callSid, transferId: Number(e.data.transferId), status: (e.data.to ?? "dialling") as ServerMessageOf<"transfer.updated">["status"], mode: e.data.mode as ServerMessageOf<"transfer.updated">["mode"] });
        break;
      case "user.deactivated":
        this.closeFor(e.data.id, "deactivated");
        break;
      case "user.token_rotated":
        this.closeFor(e.data.id, "token_replaced");
        break;
      case "agent.status":
        this.toAgent(e.userId, this.statusMessage(e.data.to as ServerMessageOf<"agent.status">["status"], String(e.data.reason ?? ""), Number(e.data.since ?? e.at)));
        break;
    }
    if (e.type.startsWith("referral.")) this.armDeadline();
    if (e.type.startsWith("callback.")) {
      this.scheduleBacklog();
      this.armDeadline();
      for (const c of this.clients) if (c.user.role === "agent") c.send({ type: "callbacks.changed" });
    }
    if (!e.type.startsWith("audit.") && e.type !== "webhook") this.scheduleFigures();
  }
}
