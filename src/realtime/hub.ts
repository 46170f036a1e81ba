import type { Db } from "../../db/connection.js";
import type { Ctx, DomainEvent } from "../events/event-log.js";
import type { Logger } from "../logger.js";
import type { UserRow } from "../users/user-store.js";
import { findCall } from "../calls/call-store.js";
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
    client.send({ type: "hello", user: { id: user.id, name: user.name, role: user.role }, status: user.role === "agent" ? user.status : undefined });
    if (user.role === "agent") {
      client.send({ type: "agent.status", status: user.status });
      if (user.currentCallSid && (user.status === "offered" || user.status === "on_call" || user.status === "wrap_up")) {
        const pop = screenPop(this.db, user.currentCallSid, this.ctx.clock.now());
        if (pop) client.send({ type: "call.offered", call: pop });
        if (user.status === "on_call") client.send({ type: "call.connected", callSid: user.currentCallSid, connectedSeconds: pop?.connectedSeconds ?? 0 });
      }
    } else {
      client.send({ type: "stats", stats: this.figures() });
      if (this.backlog) client.send({ type: "callbacks", ...this.backlog.summary() });
    }
    return () => this.clients.delete(client);
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
        if (e.callSid) this.toAgent(e.userId, { type: "call.connected", callSid: e.callSid, connectedSeconds: 0 });
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
        this.toAgent(e.userId, { type: "agent.status", status: e.data.to as ServerMessageOf<"agent.status">["status"], reason: String(e.data.reason ?? "") });
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
