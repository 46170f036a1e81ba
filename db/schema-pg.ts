import { sql } from "drizzle-orm";
import { bigint, boolean, customType, index, integer, jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import * as lite from "./schema.js";
import type { IvrStep } from "./schema.js";

/**
 * The same database as db/schema.ts, for PostgreSQL: same tables, columns, keys and indexes, kept so by
 * test/unit/schema-parity.test.ts. What each column means is written there, once; enum values are taken
 * from there too, so a new status is added in one place.
 */

/** Milliseconds since the epoch need 64 bits; mode "number" hands them out as plain numbers, as SQLite does. */
const time = (name: string) => bigint(name, { mode: "number" });
const json = <T>(name: string) => jsonb(name).$type<T>();
/** An id the database assigns, only growing, as SQLite's integer primary keys; "by default" still accepts one given. */
const serialId = () => integer("id").primaryKey().generatedByDefaultAsIdentity();
/** Bytes, as SQLite's blob in buffer mode: drizzle has no bytea of its own. */
const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => "bytea" });

export const calls = pgTable(
  "calls",
  {
    sid: text("sid").primaryKey(),
    direction: text("direction", { enum: lite.calls.direction.enumValues }).notNull(),
    fromRaw: text("from_raw").notNull().default(""),
    fromE164: text("from_e164"),
    toRaw: text("to_raw").notNull().default(""),
    state: text("state", { enum: lite.calls.state.enumValues }).notNull(),
    outcome: text("outcome"),
    language: text("language"),
    topic: text("topic"),
    priority: text("priority", { enum: lite.calls.priority.enumValues }).notNull().default("normal"),
    ivrNode: text("ivr_node"),
    ivrRetries: integer("ivr_retries").notNull().default(0),
    ivrPath: json<IvrStep[]>("ivr_path").notNull().default([]),
    holdsLine: boolean("holds_line").notNull().default(false),
    carrierStatus: text("carrier_status"),
    agentId: text("agent_id"),
    parentSid: text("parent_sid"),
    callbackId: integer("callback_id"),
    queuePosition: integer("queue_position"),
    createdAt: time("created_at").notNull(),
    queuedAt: time("queued_at"),
    offeredAt: time("offered_at"),
    connectedAt: time("connected_at"),
    endedAt: time("ended_at"),
  },
  (t) => [
    index("calls_state_idx").on(t.state),
    index("calls_line_idx").on(t.holdsLine).where(sql`${t.holdsLine}`),
    index("calls_from_idx").on(t.fromE164, t.createdAt),
    index("calls_day_figures_idx").on(t.createdAt, t.direction, t.outcome, t.queuedAt, t.connectedAt),
  ],
);

export const events = pgTable(
  "events",
  {
    id: serialId(),
    at: time("at").notNull(),
    type: text("type").notNull(),
    callSid: text("call_sid"),
    userId: text("user_id"),
    callbackId: integer("callback_id"),
    data: json<Record<string, unknown>>("data").notNull().default({}),
    dedupeKey: text("dedupe_key"),
  },
  (t) => [
    index("events_call_idx").on(t.callSid, t.id),
    uniqueIndex("events_dedupe_idx").on(t.dedupeKey).where(sql`${t.dedupeKey} is not null`),
    index("events_audit_idx").on(t.at).where(sql`${t.type} like 'audit.%'`),
  ],
);

/**
 * The lines held now, as one number: kept by triggers on `calls` (migration "lines_held"), in the same
 * statement as every change of a call's holds_line (insert, update, delete, whoever makes it), so it
 * cannot drift from the calls; the line reconciliation still checks it against a count of the calls. An
 * arrival reads it instead of counting the held calls, which cost a few µs per line held.
 */
export const linesHeld = pgTable("lines_held", {
  /** Always 1: the table has one row. */
  id: integer("id").primaryKey().default(1),
  held: integer("held").notNull(),
});

export const settings = pgTable("settings", {
  key: text("key").primaryKey(),
  value: json<unknown>("value").notNull(),
});

export const users = pgTable(
  "users",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    role: text("role", { enum: lite.users.role.enumValues }).notNull(),
    tokenHash: text("token_hash").notNull(),
    languages: json<string[]>("languages").notNull().default([]),
    endpoint: text("endpoint"),
    status: text("status", { enum: lite.users.status.enumValues }).notNull().default("offline"),
    statusSince: time("status_since").notNull(),
    idleSince: time("idle_since"),
    currentCallSid: text("current_call_sid"),
    createdAt: time("created_at").notNull(),
    active: boolean("active").notNull().default(true),
    tokenIssuedAt: time("token_issued_at"),
    lastSeenAt: time("last_seen_at"),
  },
  (t) => [uniqueIndex("users_token_idx").on(t.tokenHash), index("users_status_idx").on(t.role, t.status)],
);

export const queueEntries = pgTable(
  "queue_entries",
  {
    id: serialId(),
    callSid: text("call_sid").notNull(),
    kind: text("kind", { enum: lite.queueEntries.kind.enumValues }).notNull().default("live"),
    language: text("language").notNull(),
    priority: text("priority", { enum: lite.queueEntries.priority.enumValues }).notNull(),
    enqueuedAt: time("enqueued_at").notNull(),
    status: text("status", { enum: lite.queueEntries.status.enumValues }).notNull().default("waiting"),
    agentId: text("agent_id"),
    offeredAt: time("offered_at"),
    agentLegSid: text("agent_leg_sid"),
    callbackLegSid: text("callback_leg_sid"),
    offers: integer("offers").notNull().default(0),
    conferenceSid: text("conference_sid"),
    agentJoinedAt: time("agent_joined_at"),
    callerJoinedAt: time("caller_joined_at"),
    endedReason: text("ended_reason"),
    callbackId: integer("callback_id"),
  },
  (t) => [
    index("queue_waiting_idx").on(t.status, t.priority, t.enqueuedAt),
    index("queue_call_idx").on(t.callSid),
  ],
);

export const callbacks = pgTable(
  "callbacks",
  {
    id: serialId(),
    number: text("number"),
    numberRaw: text("number_raw").notNull().default(""),
    language: text("language"),
    topic: text("topic"),
    priority: text("priority", { enum: lite.callbacks.priority.enumValues }).notNull().default("normal"),
    reason: text("reason", { enum: lite.callbacks.reason.enumValues }).notNull(),
    missedCalls: integer("missed_calls").notNull().default(1),
    firstMissedAt: time("first_missed_at").notNull(),
    lastMissedAt: time("last_missed_at").notNull(),
    lastCallSid: text("last_call_sid"),
    dueAt: time("due_at").notNull(),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: time("next_attempt_at"),
    status: text("status", { enum: lite.callbacks.status.enumValues }).notNull().default("open"),
    claimedBy: text("claimed_by"),
    claimExpiresAt: time("claim_expires_at"),
    closedAt: time("closed_at"),
    textStatus: text("text_status"),
    textSid: text("text_sid"),
    textedAt: time("texted_at"),
    overdueMarked: boolean("overdue_marked").notNull().default(false),
    // PostgreSQL stores generated columns (it computes none on read); neither may name another.
    toCall: boolean("to_call").generatedAlwaysAs(sql`status in ('open', 'claimed')`),
    urgencyRank: integer("urgency_rank").generatedAlwaysAs(
      sql`(case when priority = 'emergency' then 0 else 2 end) + (case when status in ('open', 'claimed') and overdue_marked then 0 else 1 end)`,
    ),
  },
  (t) => [
    uniqueIndex("callbacks_open_number_idx").on(t.number).where(sql`${t.status} in ('open', 'claimed') and ${t.number} is not null`),
    index("callbacks_to_call_order_idx").on(t.toCall, t.urgencyRank, t.firstMissedAt, t.id),
    index("callbacks_status_order_idx").on(t.status, t.urgencyRank, t.firstMissedAt, t.id),
    index("callbacks_order_idx").on(t.urgencyRank, t.firstMissedAt, t.id),
    index("callbacks_deadline_idx").on(t.toCall, t.overdueMarked, t.dueAt, t.firstMissedAt, t.status),
    index("callbacks_language_idx").on(t.language, t.status),
  ],
);

export const callbackAttempts = pgTable(
  "callback_attempts",
  {
    id: serialId(),
    callbackId: integer("callback_id").notNull().references(() => callbacks.id),
    entryId: integer("entry_id"),
    agentId: text("agent_id"),
    startedAt: time("started_at").notNull(),
    endedAt: time("ended_at"),
    outcome: text("outcome", { enum: lite.callbackAttempts.outcome.enumValues }),
    callerLegSid: text("caller_leg_sid"),
  },
  (t) => [index("attempts_callback_idx").on(t.callbackId)],
);

export const caseCategories = pgTable("case_categories", {
  code: text("code").primaryKey(),
  nameTh: text("name_th").notNull(),
  nameEn: text("name_en").notNull(),
  active: boolean("active").notNull().default(true),
});

export const agencies = pgTable(
  "agencies",
  {
    id: serialId(),
    name: text("name").notNull(),
    type: text("type", { enum: lite.agencies.type.enumValues }).notNull(),
    province: text("province"),
    endpoint: text("endpoint"),
    hours: text("hours").notNull().default("24h"),
    categories: json<string[]>("categories").notNull().default([]),
    active: boolean("active").notNull().default(true),
    createdAt: time("created_at").notNull(),
  },
  (t) => [index("agencies_province_idx").on(t.province, t.type), index("agencies_name_idx").on(t.name, t.province)],
);

export const cases = pgTable(
  "cases",
  {
    id: serialId(),
    category: text("category").notNull(),
    province: text("province"),
    urgency: text("urgency", { enum: lite.cases.urgency.enumValues }).notNull().default("normal"),
    channel: text("channel", { enum: lite.cases.channel.enumValues }).notNull().default("hotline"),
    callerNumber: text("caller_number"),
    people: json<Array<Record<string, unknown>>>("people").notNull().default([]),
    notes: text("notes").notNull().default(""),
    status: text("status", { enum: lite.cases.status.enumValues }).notNull().default("open"),
    legalHold: boolean("legal_hold").notNull().default(false),
    createdBy: text("created_by"),
    createdAt: time("created_at").notNull(),
    updatedAt: time("updated_at").notNull(),
  },
  (t) => [index("cases_caller_idx").on(t.callerNumber, t.status), index("cases_status_idx").on(t.status)],
);

export const caseLinks = pgTable(
  "case_links",
  {
    id: serialId(),
    caseId: integer("case_id").notNull().references(() => cases.id),
    callSid: text("call_sid"),
    callbackId: integer("callback_id"),
    at: time("at").notNull(),
  },
  (t) => [index("case_links_case_idx").on(t.caseId), index("case_links_call_idx").on(t.callSid)],
);

export const referrals = pgTable(
  "referrals",
  {
    id: serialId(),
    caseId: integer("case_id").notNull().references(() => cases.id),
    agencyId: integer("agency_id").notNull().references(() => agencies.id),
    suggestedAgencyId: integer("suggested_agency_id"),
    rule: text("rule"),
    status: text("status", { enum: lite.referrals.status.enumValues }).notNull().default("sent"),
    dueAt: time("due_at").notNull(),
    note: text("note").notNull().default(""),
    createdBy: text("created_by"),
    createdAt: time("created_at").notNull(),
    updatedAt: time("updated_at").notNull(),
  },
  (t) => [index("referrals_status_idx").on(t.status, t.dueAt), index("referrals_case_idx").on(t.caseId)],
);

export const transfers = pgTable(
  "transfers",
  {
    id: serialId(),
    callSid: text("call_sid").notNull(),
    caseId: integer("case_id"),
    agencyId: integer("agency_id").notNull(),
    agentId: text("agent_id").notNull(),
    mode: text("mode", { enum: lite.transfers.mode.enumValues }).notNull(),
    status: text("status", { enum: lite.transfers.status.enumValues }).notNull().default("dialling"),
    agencyLegSid: text("agency_leg_sid"),
    startedAt: time("started_at").notNull(),
    answeredAt: time("answered_at"),
    endedAt: time("ended_at"),
  },
  (t) => [index("transfers_call_idx").on(t.callSid)],
);

export const promptRecordings = pgTable(
  "prompt_recordings",
  {
    id: serialId(),
    prompt: text("prompt").notNull(),
    language: text("language").notNull(),
    audio: bytea("audio").notNull(),
    format: text("format", { enum: lite.promptRecordings.format.enumValues }).notNull(),
    durationMs: integer("duration_ms").notNull(),
    source: text("source", { enum: lite.promptRecordings.source.enumValues }).notNull(),
    status: text("status", { enum: lite.promptRecordings.status.enumValues }).notNull().default("draft"),
    recordedBy: text("recorded_by").notNull(),
    decidedBy: text("decided_by"),
    createdAt: time("created_at").notNull(),
    decidedAt: time("decided_at"),
  },
  (t) => [
    index("prompt_recordings_status_idx").on(t.status, t.language, t.prompt),
    uniqueIndex("prompt_recordings_approved_idx").on(t.prompt, t.language).where(sql`status = 'approved'`),
  ],
);

export const recordingSessions = pgTable(
  "recording_sessions",
  {
    id: serialId(),
    prompt: text("prompt").notNull(),
    language: text("language").notNull(),
    phone: text("phone").notNull(),
    requestedBy: text("requested_by").notNull(),
    callSid: text("call_sid"),
    status: text("status", { enum: lite.recordingSessions.status.enumValues }).notNull().default("calling"),
    takeUrl: text("take_url"),
    takes: integer("takes").notNull().default(0),
    recordingId: integer("recording_id"),
    createdAt: time("created_at").notNull(),
    endedAt: time("ended_at"),
  },
  (t) => [index("recording_sessions_call_idx").on(t.callSid)],
);
