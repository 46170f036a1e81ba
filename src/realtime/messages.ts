// A namespace import, not `{ z }`: it lets the page bundle drop what these schemas never use (every
// locale among it), 100 kB instead of 450 kB.
import * as z from "zod";
import { NOTE_MAX_CHARS, NOTE_TOO_LONG } from "../note-length.js";

// Every /ws message, both ways. The server types what it sends from these schemas, and the pages get the
// same schemas bundled as /web/messages.js (src/http/page-routes.ts): this file must stay browser-safe,
// importing nothing but zod (and src/note-length.ts, a constant).

/**
 * Why a token is refused: the HTTP error code of a 401, and the close reason of a socket closed with 4401
 * (the pages say it in words). token_replaced: the token was rotated while the socket was open.
 */
export const refusalSchema = z.enum(["unauthorized", "token_expired", "deactivated", "token_replaced"]);
export type Refusal = z.infer<typeof refusalSchema>;

/** Messages a client may send. Anything else gets an error back and changes nothing. */
export const clientMessageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("auth"), token: z.string().min(1).max(200) }).strict(),
  z.object({ type: z.literal("status"), status: z.enum(["available", "break", "offline"]) }).strict(),
  z
    .object({
      type: z.literal("disposition"),
      callSid: z.string().min(1).max(64),
      outcome: z.enum(["advice_given", "referred", "emergency_dispatched", "information", "silent_call", "prank", "other"]),
      topic: z.enum(["violence", "trafficking", "pregnancy", "child_labour", "other", "emergency"]).optional(),
      note: z.string().max(NOTE_MAX_CHARS, NOTE_TOO_LONG).optional(),
    })
    .strict(),
  z.object({ type: z.literal("ping") }).strict(),
]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;

const count = z.number().int().nonnegative();
const seconds = z.number();
const time = z.iso.datetime();
/** Codes the records keep as free text (languages, topics, outcomes): the pages label unknown ones as they are. */
const code = z.string();
const agentStatus = z.enum(["offline", "available", "offered", "on_call", "wrap_up", "break"]);
const priority = z.enum(["normal", "emergency"]);

/** A callback backlog item as screens get it (src/callbacks/callback-view.ts); the wallboard's list masks the number. */
const callbackItem = z.object({
  id: count,
  number: z.string(),
  language: code.nullable(),
  topic: code.nullable(),
  priority,
  reason: z.enum(["overflow", "abandoned_ivr", "abandoned_queue", "abandoned_ringing", "requested", "no_answer", "outage"]),
  missedCalls: count,
  firstMissedAt: time.nullable(),
  lastMissedAt: time.nullable(),
  dueAt: time.nullable(),
  overdue: z.boolean(),
  attempts: count,
  nextAttemptAt: time.nullable(),
  status: z.enum(["open", "claimed", "reached", "unreachable", "not_callable"]),
  claimedBy: z.string().nullable(),
  closedAt: time.nullable(),
  text: z.object({ status: z.string(), at: time.nullable() }).nullable(),
});

/** An earlier call of the same number, with what agents recorded (their dispositions keep whatever was sent). */
const earlierCall = z.looseObject({
  kind: z.literal("call"),
  callSid: z.string(),
  at: time.nullable(),
  language: code.nullable(),
  topic: code.nullable(),
  priority,
  outcome: code.nullable(),
  agentId: z.string().nullable(),
  dispositions: z.array(
    z.looseObject({
      outcome: code.optional(),
      topic: code.nullable().optional(),
      note: z.string().optional(),
      agentId: z.string().nullable(),
      agentName: z.string().nullable(),
      at: time.nullable(),
    }),
  ),
});
const openCallback = callbackItem.extend({ kind: z.literal("callback") });

/** The contract's call.offered screen-pop (src/realtime/screen-pop.ts); open to fields a later screen may add. */
export const screenPopSchema = z.looseObject({
  callSid: z.string(),
  from: z.string(),
  language: code.nullable(),
  topic: code.nullable(),
  priority,
  kind: z.enum(["inbound", "callback"]),
  callbackId: count.nullable(),
  waitedSeconds: seconds,
  ivrPath: z.array(z.object({ node: z.string(), at: time.nullable(), input: z.string().optional(), language: code.optional() })),
  linesInUse: count,
  state: z.enum(["ivr", "queued", "ringing", "connected", "ended"]),
  connectedSeconds: seconds.nullable(),
  history: z.array(z.discriminatedUnion("kind", [earlierCall, openCallback])),
  openCallbacks: z.array(openCallback),
  openCases: z.array(
    z.looseObject({
      id: count,
      category: code,
      province: z.string().nullable(),
      urgency: z.enum(["normal", "urgent", "crisis"]),
      status: z.enum(["open", "referred", "closed"]),
      createdAt: time.nullable(),
      referralStatus: code.nullable(),
    }),
  ),
  /** Set on a fresh offer, absent when a reconnecting agent gets its call again. */
  offeredAt: time.optional(),
});

const backlogFigures = { open: count, overdue: count, oldestAgeSeconds: seconds };

/** GET /api/stats, pushed live to supervisors (src/stats/live-figures.ts). */
export const liveStatsSchema = z.object({
  lines: z.object({ capacity: count, inUse: count }),
  queue: z.object({ waiting: count, byLanguage: z.record(z.string(), count), longestWaitSeconds: seconds }),
  agents: z.record(z.string(), count),
  today: z.object({
    offered: count,
    answered: count,
    abandoned: count,
    overflow: count,
    serviceLevel: z.number().min(0).max(1),
    averageSpeedOfAnswerSeconds: seconds,
  }),
  callbacks: z.object(backlogFigures),
  /** Cases referred to agencies; the overdue ones are what the ministry's escalation center chases. */
  referrals: z.object({ open: count, overdue: count }),
  /** The agents not offline, by name (src/stats/agent-board.ts): state, since when, and their call's language and topic. */
  onDuty: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      status: agentStatus,
      statusSince: time,
      secondsInStatus: seconds,
      languages: z.array(code),
      call: z.object({ language: code.nullable(), topic: code.nullable(), priority }).nullable(),
    }),
  ),
});
export type LiveStats = z.infer<typeof liveStatsSchema>;

/** `at`: the server's time of the figures, so a page can age the items (firstMissedAt, dueAt) whatever its own clock says. */
const backlogMessage = z.object({ type: z.literal("callbacks"), at: time, ...backlogFigures, items: z.array(callbackItem) });
/** The supervisors' live backlog: its figures and the most urgent items. */
export type BacklogSummary = Omit<z.infer<typeof backlogMessage>, "type">;

/** Messages the server sends. A page ignores (and logs) one that does not match. */
export const serverMessageSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("hello"),
    user: z.object({ id: z.string(), name: z.string(), role: z.enum(["admin", "supervisor", "agent"]) }),
    /** Agents only. */
    status: agentStatus.optional(),
    /** Agents only: how long a wrap-up lasts unless the agent ends it (WRAP_UP_SECONDS). */
    wrapUpSeconds: count.optional(),
  }),
  z.object({
    type: z.literal("agent.status"),
    status: agentStatus,
    reason: z.string().optional(),
    /** In wrap-up: seconds left before the server makes the agent available (the desk counts down from it). */
    wrapUpLeftSeconds: seconds.optional(),
  }),
  z.object({ type: z.literal("call.offered"), call: screenPopSchema }),
  /** The screen-pop again once the call is answered: what answering changed (the callback item now reached). */
  z.object({ type: z.literal("call.updated"), call: screenPopSchema }),
  /** The caller on hold, the agent muted: sent on each change and to a desk that (re)connects mid-call. */
  z.object({ type: z.literal("call.control"), callSid: z.string(), held: z.boolean(), muted: z.boolean() }),
  /** A supervisor listens, whispers to the agent, barges in, or has left (ended); `by` is their name. */
  z.object({ type: z.literal("call.monitored"), callSid: z.string(), mode: z.enum(["listen", "whisper", "barge", "ended"]), by: z.string() }),
  z.object({ type: z.literal("call.connected"), callSid: z.string(), connectedSeconds: seconds }),
  z.object({ type: z.literal("call.ended"), callSid: z.string(), outcome: code.nullable().optional(), reason: z.string().optional() }),
  z.object({
    type: z.literal("transfer.updated"),
    callSid: z.string(),
    transferId: count,
    status: z.enum(["dialling", "briefing", "completed", "returned", "failed"]),
    mode: z.enum(["warm", "cold"]),
  }),
  z.object({ type: z.literal("stats"), stats: liveStatsSchema }),
  backlogMessage,
  /** To agents: the backlog changed; their page reloads its own slice (numbers masked) from the API. */
  z.object({ type: z.literal("callbacks.changed") }),
  z.object({ type: z.literal("error"), error: z.string(), message: z.string() }),
  z.object({ type: z.literal("pong") }),
  /** The server is shutting down (a restart or an upgrade): connect again, the balancer picks another instance. */
  z.object({ type: z.literal("reconnect") }),
  z.object({ type: z.literal("ack"), of: z.enum(["status", "disposition"]) }),
]);
export type ServerMessage = z.infer<typeof serverMessageSchema>;
/** One kind of server message, e.g. ServerMessageOf<"agent.status">["status"]. */
export type ServerMessageOf<T extends ServerMessage["type"]> = Extract<ServerMessage, { type: T }>;
export type ScreenPop = z.infer<typeof screenPopSchema>;
