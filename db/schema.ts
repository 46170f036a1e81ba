import { sql } from "drizzle-orm";
import { blob, index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** Times are milliseconds since the epoch, taken from the injected clock. */
const time = (name: string) => integer(name);
const json = <T>(name: string) => text(name, { mode: "json" }).$type<T>();

export interface IvrStep {
  node: string;
  at: number;
  /** What the caller pressed, or "timeout" when they pressed nothing. Never the raw digits of free input. */
  input?: string;
  language?: string;
}

/** One row per call leg the server knows: inbound calls, agent legs, outbound callbacks. */
export const calls = sqliteTable(
  "calls",
  {
    sid: text("sid").primaryKey(),
    direction: text("direction", { enum: ["inbound", "agent", "callback"] }).notNull(),
    fromRaw: text("from_raw").notNull().default(""),
    fromE164: text("from_e164"),
    toRaw: text("to_raw").notNull().default(""),
    state: text("state", { enum: ["ivr", "queued", "ringing", "connected", "ended"] }).notNull(),
    outcome: text("outcome"),
    language: text("language"),
    topic: text("topic"),
    priority: text("priority", { enum: ["normal", "emergency"] }).notNull().default("normal"),
    ivrNode: text("ivr_node"),
    ivrRetries: integer("ivr_retries").notNull().default(0),
    ivrPath: json<IvrStep[]>("ivr_path").notNull().default(sql`'[]'`),
    holdsLine: integer("holds_line", { mode: "boolean" }).notNull().default(false),
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
    // Only calls holding a line are in it: counting the lines in use reads at most the capacity, whatever
    // the calls stored. A query reads it only when it says `where holds_line` (lines/line-capacity.ts).
    index("calls_line_idx").on(t.holdsLine).where(sql`${t.holdsLine}`),
    index("calls_from_idx").on(t.fromE164, t.createdAt),
    // Today's figures (GET /api/stats, the wallboard) read only this index: every column they need is in it.
    // Its columns other than created_at change at most once per call, so webhooks rarely touch it.
    index("calls_day_figures_idx").on(t.createdAt, t.direction, t.outcome, t.queuedAt, t.connectedAt),
  ],
);

/**
 * The event log: every state change writes its event in the same transaction, so a supervisor can
 * replay what a caller went through. dedupeKey makes a repeated Twilio callback a no-op.
 */
export const events = sqliteTable(
  "events",
  {
    // A plain rowid, not AUTOINCREMENT: ids still only grow (only audit events past AUDIT_RETENTION_DAYS
    // are ever deleted, never the newest), without a sqlite_sequence write in every transaction.
    id: integer("id").primaryKey(),
    at: time("at").notNull(),
    type: text("type").notNull(),
    callSid: text("call_sid"),
    userId: text("user_id"),
    callbackId: integer("callback_id"),
    data: json<Record<string, unknown>>("data").notNull().default(sql`'{}'`),
    dedupeKey: text("dedupe_key"),
  },
  (t) => [
    index("events_call_idx").on(t.callSid, t.id),
    // Only keyed events (Twilio callbacks) are in it; most events have no key and cost no index write.
    uniqueIndex("events_dedupe_idx").on(t.dedupeKey).where(sql`${t.dedupeKey} is not null`),
    // GET /api/audit and the audit retention job; only audit events pay for it.
    index("events_audit_idx").on(t.at).where(sql`${t.type} like 'audit.%'`),
  ],
);

/**
 * The lines held now, as one number: kept by triggers on `calls` (migration "lines_held"), in the same
 * statement as every change of a call's holds_line (insert, update, delete, whoever makes it), so it
 * cannot drift from the calls; the line reconciliation still checks it against a count of the calls. An
 * arrival reads it instead of counting the held calls, which cost a few µs per line held.
 */
export const linesHeld = sqliteTable("lines_held", {
  /** Always 1: the table has one row. */
  id: integer("id").primaryKey().default(1),
  held: integer("held").notNull(),
});

export const settings = sqliteTable("settings", {
  key: text("key").primaryKey(),
  value: json<unknown>("value").notNull(),
});

export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    role: text("role", { enum: ["admin", "supervisor", "agent"] }).notNull(),
    /** sha256 of the bearer token: the token itself is shown once and never stored. */
    tokenHash: text("token_hash").notNull(),
    languages: json<string[]>("languages").notNull().default(sql`'[]'`),
    endpoint: text("endpoint"),
    status: text("status", { enum: ["offline", "available", "offered", "on_call", "wrap_up", "break"] })
      .notNull()
      .default("offline"),
    statusSince: time("status_since").notNull(),
    /** When the agent last became free; routing picks the longest idle. */
    idleSince: time("idle_since"),
    currentCallSid: text("current_call_sid"),
    createdAt: time("created_at").notNull(),
    /** A deactivated user's token is refused and, as an agent, they are never offered a call. */
    active: integer("active", { mode: "boolean" }).notNull().default(true),
    /** When the current token was issued (TOKEN_TTL_DAYS counts from here); null: at createdAt, for accounts older than this column. */
    tokenIssuedAt: time("token_issued_at"),
    /** Last time the token was used, written at most once a minute (src/users/access.ts). */
    lastSeenAt: time("last_seen_at"),
  },
  (t) => [uniqueIndex("users_token_idx").on(t.tokenHash), index("users_status_idx").on(t.role, t.status)],
);

/**
 * The hotline queue. A live entry is a caller on the line; a virtual one keeps the place of a caller who
 * asked to be called back. Both count for positions, and both are routed the same way.
 */
export const queueEntries = sqliteTable(
  "queue_entries",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    callSid: text("call_sid").notNull(),
    kind: text("kind", { enum: ["live", "virtual"] }).notNull().default("live"),
    language: text("language").notNull(),
    priority: text("priority", { enum: ["normal", "emergency"] }).notNull(),
    /** When the caller first joined: a missed offer puts them back with this time, never at the back. */
    enqueuedAt: time("enqueued_at").notNull(),
    /**
     * offered: the agent's phone rings (or whispers); connecting: the agent accepted and the two legs are
     * being brought into one conference; connected: the carrier reported both in it at the same time.
     */
    status: text("status", { enum: ["waiting", "offered", "connecting", "connected", "done"] }).notNull().default("waiting"),
    agentId: text("agent_id"),
    offeredAt: time("offered_at"),
    /** The agent's phone leg while offered or connected. */
    agentLegSid: text("agent_leg_sid"),
    /** For virtual entries: the outbound leg that rings the caller back. */
    callbackLegSid: text("callback_leg_sid"),
    offers: integer("offers").notNull().default(0),
    /**
     * When the carrier reported the agent's leg, and the caller's, in the conference `conferenceSid`:
     * answered = both in the same one (a conference that ended and was made anew under the same name
     * holds nobody from before).
     */
    conferenceSid: text("conference_sid"),
    agentJoinedAt: time("agent_joined_at"),
    callerJoinedAt: time("caller_joined_at"),
    endedReason: text("ended_reason"),
    /** The callback item a virtual entry works on (a kept place, a claimed call-back or a retry). */
    callbackId: integer("callback_id"),
  },
  (t) => [
    index("queue_waiting_idx").on(t.status, t.priority, t.enqueuedAt),
    index("queue_call_idx").on(t.callSid),
  ],
);

/** The callback backlog: one open item per caller, however often they missed us. Never deleted. */
export const callbacks = sqliteTable(
  "callbacks",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    /** E.164, or null when the number was withheld or invalid (such items are not_callable). */
    number: text("number"),
    numberRaw: text("number_raw").notNull().default(""),
    language: text("language"),
    topic: text("topic"),
    priority: text("priority", { enum: ["normal", "emergency"] }).notNull().default("normal"),
    reason: text("reason", { enum: ["overflow", "abandoned_ivr", "abandoned_queue", "abandoned_ringing", "requested", "no_answer", "outage"] }).notNull(),
    missedCalls: integer("missed_calls").notNull().default(1),
    firstMissedAt: time("first_missed_at").notNull(),
    lastMissedAt: time("last_missed_at").notNull(),
    lastCallSid: text("last_call_sid"),
    dueAt: time("due_at").notNull(),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: time("next_attempt_at"),
    status: text("status", { enum: ["open", "claimed", "reached", "unreachable", "not_callable"] }).notNull().default("open"),
    claimedBy: text("claimed_by"),
    claimExpiresAt: time("claim_expires_at"),
    closedAt: time("closed_at"),
    /**
     * The one text message to the missed caller ("we will call you back"): its carrier status (queued,
     * sent, delivered, undelivered, failed), or why none was sent (not_mobile, topic, sent_today, …).
     */
    textStatus: text("text_status"),
    textSid: text("text_sid"),
    textedAt: time("texted_at"),
    /**
     * Whether the deadline had passed when a reader last looked: "overdue" is a matter of time, which no
     * index can hold, so the backlog's readers mark it (src/callbacks/backlog-order.ts) before they read
     * in order. Only its value on items still to call counts.
     */
    overdueMarked: integer("overdue_marked", { mode: "boolean" }).notNull().default(false),
    /** Still to call (open or claimed): the backlog proper, one index range. */
    toCall: integer("to_call", { mode: "boolean" }).generatedAlwaysAs(sql`status in ('open', 'claimed')`, { mode: "virtual" }),
    /**
     * Most urgent first: 0 an overdue emergency, 1 any other emergency, 2 overdue, 3 the rest (closed items
     * are never overdue); then the oldest first miss. Kept by the database on every write.
     */
    urgencyRank: integer("urgency_rank").generatedAlwaysAs(
      sql`(case when priority = 'emergency' then 0 else 2 end) + (case when status in ('open', 'claimed') and overdue_marked then 0 else 1 end)`,
      { mode: "virtual" },
    ),
  },
  (t) => [
    // At most one open item per number: a second miss adds to it.
    uniqueIndex("callbacks_open_number_idx").on(t.number).where(sql`status in ('open', 'claimed') and number is not null`),
    // The backlog list in its order, read from an index and never sorted: the items still to call, those
    // of one status, and all of them.
    index("callbacks_to_call_order_idx").on(t.toCall, t.urgencyRank, t.firstMissedAt, t.id),
    index("callbacks_status_order_idx").on(t.status, t.urgencyRank, t.firstMissedAt, t.id),
    index("callbacks_order_idx").on(t.urgencyRank, t.firstMissedAt, t.id),
    // Finds the overdue marks behind the clock and the next deadline, a seek each, and covers the backlog
    // figures (count, overdue, oldest); status is in it because SQLite reads to_call from it.
    index("callbacks_deadline_idx").on(t.toCall, t.overdueMarked, t.dueAt, t.firstMissedAt, t.status),
    index("callbacks_language_idx").on(t.language, t.status),
  ],
);

export const callbackAttempts = sqliteTable(
  "callback_attempts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    callbackId: integer("callback_id").notNull().references(() => callbacks.id),
    entryId: integer("entry_id"),
    agentId: text("agent_id"),
    startedAt: time("started_at").notNull(),
    endedAt: time("ended_at"),
    outcome: text("outcome", { enum: ["reached", "no_answer", "busy", "failed", "wrong_number", "voicemail"] }),
    callerLegSid: text("caller_leg_sid"),
  },
  (t) => [index("attempts_callback_idx").on(t.callbackId)],
);

/** Problem categories of cases: a list the hotline can extend (the shipped ones are seeded). */
export const caseCategories = sqliteTable("case_categories", {
  code: text("code").primaryKey(),
  nameTh: text("name_th").notNull(),
  nameEn: text("name_en").notNull(),
  active: integer("active", { mode: "boolean" }).notNull().default(true),
});

/** Agencies cases are referred to: provincial shelters and offices, the rapid-response team, police, hospitals. */
export const agencies = sqliteTable(
  "agencies",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    name: text("name").notNull(),
    type: text("type", { enum: ["rapid_response", "child_family_shelter", "provincial_office", "police", "hospital", "other"] }).notNull(),
    /** Province code (see src/cases/provinces.ts); null for national agencies. */
    province: text("province"),
    /** Where a transfer rings: E.164 number, sip: or client: address. */
    endpoint: text("endpoint"),
    hours: text("hours").notNull().default("24h"),
    categories: json<string[]>("categories").notNull().default(sql`'[]'`),
    active: integer("active", { mode: "boolean" }).notNull().default(true),
    createdAt: time("created_at").notNull(),
  },
  // By name: a directory import matches each row to the agency of that name and province.
  (t) => [index("agencies_province_idx").on(t.province, t.type), index("agencies_name_idx").on(t.name, t.province)],
);

/** A matter the hotline works on, from a call or another channel; it links every call and callback of it. */
export const cases = sqliteTable(
  "cases",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    category: text("category").notNull(),
    province: text("province"),
    urgency: text("urgency", { enum: ["normal", "urgent", "crisis"] }).notNull().default("normal"),
    channel: text("channel", { enum: ["hotline", "walk_in", "social_media", "letter", "other"] }).notNull().default("hotline"),
    /** The caller's number (E.164) when the case came by phone: personal data, shown to roles that need it. */
    callerNumber: text("caller_number"),
    people: json<Array<Record<string, unknown>>>("people").notNull().default(sql`'[]'`),
    notes: text("notes").notNull().default(""),
    status: text("status", { enum: ["open", "referred", "closed"] }).notNull().default("open"),
    /** Kept out of retention's anonymisation (a court, the police or a shelter still needs it). */
    legalHold: integer("legal_hold", { mode: "boolean" }).notNull().default(false),
    createdBy: text("created_by"),
    createdAt: time("created_at").notNull(),
    updatedAt: time("updated_at").notNull(),
  },
  (t) => [index("cases_caller_idx").on(t.callerNumber, t.status), index("cases_status_idx").on(t.status)],
);

export const caseLinks = sqliteTable(
  "case_links",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    caseId: integer("case_id").notNull().references(() => cases.id),
    callSid: text("call_sid"),
    callbackId: integer("callback_id"),
    at: time("at").notNull(),
  },
  (t) => [index("case_links_case_idx").on(t.caseId), index("case_links_call_idx").on(t.callSid)],
);

export const referrals = sqliteTable(
  "referrals",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    caseId: integer("case_id").notNull().references(() => cases.id),
    agencyId: integer("agency_id").notNull().references(() => agencies.id),
    /** What the rule suggested; differs from agencyId when the agent overrode it. */
    suggestedAgencyId: integer("suggested_agency_id"),
    rule: text("rule"),
    status: text("status", { enum: ["sent", "accepted", "in_progress", "closed", "returned"] }).notNull().default("sent"),
    dueAt: time("due_at").notNull(),
    note: text("note").notNull().default(""),
    createdBy: text("created_by"),
    createdAt: time("created_at").notNull(),
    updatedAt: time("updated_at").notNull(),
  },
  (t) => [index("referrals_status_idx").on(t.status, t.dueAt), index("referrals_case_idx").on(t.caseId)],
);

/** A live call handed to an agency: every step stored (who, when, which agency, answered or not). */
export const transfers = sqliteTable(
  "transfers",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    callSid: text("call_sid").notNull(),
    caseId: integer("case_id"),
    agencyId: integer("agency_id").notNull(),
    agentId: text("agent_id").notNull(),
    mode: text("mode", { enum: ["warm", "cold"] }).notNull(),
    status: text("status", { enum: ["dialling", "briefing", "completed", "returned", "failed"] }).notNull().default("dialling"),
    agencyLegSid: text("agency_leg_sid"),
    startedAt: time("started_at").notNull(),
    answeredAt: time("answered_at"),
    endedAt: time("ended_at"),
  },
  (t) => [index("transfers_call_idx").on(t.callSid)],
);

/**
 * Prompts recorded by the hotline's own staff (by phone or by upload), kept in the database so every
 * instance serves them: approved ones are played with <Play> in preference to the shipped recordings
 * and the Twilio voice. Audio is normalised (src/recordings/audio-normaliser.ts) before it is stored.
 */
export const promptRecordings = sqliteTable(
  "prompt_recordings",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    prompt: text("prompt").notNull(),
    language: text("language").notNull(),
    audio: blob("audio", { mode: "buffer" }).notNull(),
    /** What the bytes are: always 8 kHz mono 16-bit PCM WAV today, named so another format can follow. */
    format: text("format", { enum: ["wav-pcm16-8k"] }).notNull(),
    durationMs: integer("duration_ms").notNull(),
    source: text("source", { enum: ["phone", "upload"] }).notNull(),
    /** draft → approved (played) or rejected; an approved one becomes replaced when a newer one is approved. */
    status: text("status", { enum: ["draft", "approved", "rejected", "replaced"] }).notNull().default("draft"),
    recordedBy: text("recorded_by").notNull(),
    decidedBy: text("decided_by"),
    createdAt: time("created_at").notNull(),
    decidedAt: time("decided_at"),
  },
  (t) => [
    index("prompt_recordings_status_idx").on(t.status, t.language, t.prompt),
    // At most one approved recording per prompt and language: the one callers hear.
    uniqueIndex("prompt_recordings_approved_idx").on(t.prompt, t.language).where(sql`status = 'approved'`),
  ],
);

/** A call to a supervisor's phone to record one prompt: the state the recording webhooks move on. */
export const recordingSessions = sqliteTable(
  "recording_sessions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    prompt: text("prompt").notNull(),
    language: text("language").notNull(),
    phone: text("phone").notNull(),
    requestedBy: text("requested_by").notNull(),
    callSid: text("call_sid"),
    status: text("status", { enum: ["calling", "recording", "reviewing", "keeping", "kept", "ended", "failed"] }).notNull().default("calling"),
    /** The carrier's URL of the take being listened to; fetched with the account's credentials when kept. */
    takeUrl: text("take_url"),
    takes: integer("takes").notNull().default(0),
    recordingId: integer("recording_id"),
    createdAt: time("created_at").notNull(),
    endedAt: time("ended_at"),
  },
  (t) => [index("recording_sessions_call_idx").on(t.callSid)],
);
