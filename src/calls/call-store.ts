import { and, desc, eq, gte, isNotNull, sql } from "drizzle-orm";
import { executed, prepared, updateById } from "../../db/prepared.js";
import { affected, dialect, engineOf, first, tables, type Db, type Tables } from "../../db/storage.js";
import { StatementBatches } from "../../db/statement-batches.js";
import type { PgDb } from "../../db/pg-connection.js";
import type { Db as SqliteDb } from "../../db/connection.js";
import type { Tx } from "../events/event-log.js";

export type CallRow = Tables["calls"]["$inferSelect"];
export type NewCallRow = Tables["calls"]["$inferInsert"];

export async function findCall(db: Db, sid: string): Promise<CallRow | undefined> {
  const { calls } = tables(db);
  const query = prepared(db, "findCall", () => db.select().from(calls).where(eq(calls.sid, sql.placeholder("sid"))).prepare("findCall"));
  return first(await executed(query, { sid }));
}

/** Every column of a call, in the schema's order: the arrival inserts them all, so nothing is read back. */
const CALL_COLUMNS = [
  "sid", "direction", "fromRaw", "fromE164", "toRaw", "state", "outcome", "language", "topic", "priority", "ivrNode", "ivrRetries", "ivrPath",
  "holdsLine", "carrierStatus", "agentId", "parentSid", "callbackId", "queuePosition", "createdAt", "queuedAt", "offeredAt", "connectedAt", "endedAt",
] as const satisfies ReadonlyArray<keyof CallRow>;

/**
 * Inserts a whole call row, with an insert built once per connection (the arrival's: drizzle built it
 * anew on every call, and RETURNING mapped the 24 columns back). False when a call with that SID is
 * already stored: nothing is written, and the arrival needs no read first to know a repeat.
 */
export async function insertCall(tx: Tx, row: CallRow): Promise<boolean> {
  const { calls } = tables(tx);
  const query = prepared(tx, "insertCall", () =>
    tx
      .insert(calls)
      .values(Object.fromEntries(CALL_COLUMNS.map((c) => [c, sql.placeholder(c)])) as never)
      .onConflictDoNothing()
      .prepare("insertCall"),
  );
  return affected(await executed(query, row)) === 1;
}

export async function updateCall(tx: Tx, sid: string, patch: Partial<NewCallRow>): Promise<void> {
  const { calls } = tables(tx);
  await updateById(tx, calls, calls.sid, sid, patch);
}

/** An IVR step as one conditional write: where the answer was asked, and where it takes the call. */
export interface IvrStepWrite {
  sid: string;
  /** The menu and attempt the answer belongs to: the call must still be waiting there. */
  fromNode: string;
  fromAttempt: number;
  node: string;
  retries: number;
  /** Only the facts the choice sets; the others stay as stored. */
  set: { language?: string; topic?: string; priority?: string };
  input: string;
  at: number;
  /** The step takes the call into the queue. */
  queued: boolean;
}

/** The call's facts after a step: what the answer is rendered and recorded with. */
export type SteppedFacts = Pick<CallRow, "language" | "topic" | "priority">;

/**
 * Moves a call waiting in an IVR menu to its next step: one UPDATE … RETURNING that only matches while the
 * call is still where the answer was asked, so a repeated or late answer changes nothing (undefined), and
 * the step is appended to the path in SQL instead of the path being read and written back. Reading the
 * call first, mapping its 24 columns, then updating it cost more than the rest of the step's writes.
 */
export async function stepIvrCall(tx: Tx, w: IvrStepWrite): Promise<SteppedFacts | undefined> {
  const query = w.queued ? prepared(tx, "stepIvrCall queued", buildQueueStep) : prepared(tx, "stepIvrCall", buildMenuStep);
  return first(await executed(query, stepValues(w)));
}

/** A step's values, under the names both step statements give them (stepIvrCall's placeholders, stepMenuCalls' columns). */
function stepValues(w: IvrStepWrite) {
  return {
    sid: w.sid,
    fromNode: w.fromNode,
    fromAttempt: w.fromAttempt,
    node: w.node,
    retries: w.retries,
    at: w.at,
    input: w.input,
    language: w.set.language ?? null,
    topic: w.set.topic ?? null,
    priority: w.set.priority ?? null,
  };
}

/** Where a menu step leaves the call: the language its next menu is spoken in (null while none is known). */
export interface MenuStepped {
  language: string | null;
}

/**
 * A step between menus, as a statement of its own (Storage.single: `db` is the database, never a
 * transaction), that only matches while the call waits where the answer was asked (undefined otherwise,
 * and nothing changes). It answers only what the next menu needs, its language, with no RETURNING on
 * SQLite: a step that chooses the language knows it already, any other reads it after its write, and
 * SQLite's RETURNING (its rows go through a table of their own) cost more than that read, 3–5 µs of a
 * step (bench/README.md, eighth pass). On PostgreSQL the menu steps of a turn are one statement
 * (StatementBatches): one round trip and one commit for all of them, where a statement per step cost the
 * hotline and the database about as much as the rest of the step. Each row keeps its own condition, so
 * every step changes its call or nothing, exactly as stepIvrCall does (test/db/menu-step-batch.test.ts).
 */
export function stepMenuCall(db: Db, w: IvrStepWrite): Promise<MenuStepped | undefined> {
  if (engineOf(db) === "sqlite") return stepMenuCallSqlite(db as unknown as SqliteDb, w);
  let batches = menuStepBatches.get(db);
  if (!batches) menuStepBatches.set(db, (batches = new StatementBatches((writes) => stepMenuCalls(db, writes), (w) => w.sid)));
  return batches.add(w);
}

const menuStepBatches = new WeakMap<Db, StatementBatches<IvrStepWrite, MenuStepped | undefined>>();

/** stepIvrCall's menu step on SQLite, as the driver's own statements (made once per connection). */
const STEP_MENU_CALL =
  "update calls set ivr_node = ?, ivr_retries = ?, " +
  "ivr_path = json_insert(ivr_path, '$[#]', json_patch(json_object('node', ?, 'at', ?, 'input', ?), json_object('language', coalesce(?, language)))), " +
  "language = coalesce(?, language), topic = coalesce(?, topic), priority = coalesce(?, priority) " +
  "where sid = ? and state = 'ivr' and ivr_node = ? and ivr_retries = ?";

async function stepMenuCallSqlite(db: SqliteDb, w: IvrStepWrite): Promise<MenuStepped | undefined> {
  const statements = prepared(db as unknown as Db, "stepMenuCall", () => ({
    step: db.$client.prepare(STEP_MENU_CALL),
    language: db.$client.prepare("select language from calls where sid = ?").pluck(),
  }));
  const language = w.set.language ?? null;
  const { changes } = statements.step.run(w.node, w.retries, w.node, w.at, w.input, language, language, w.set.topic ?? null, w.set.priority ?? null, w.sid, w.fromNode, w.fromAttempt);
  if (changes === 0) return undefined;
  return { language: language ?? ((statements.language.get(w.sid) as string | null | undefined) ?? null) };
}

/**
 * stepIvrCall's menu step for many calls in one UPDATE on PostgreSQL: the steps come as one JSON
 * parameter (cheaper to hand over than an array per column), each matched to its call by its condition.
 * Kept equal to stepIvrCall by test/db/menu-step-batch.test.ts.
 */
const STEP_MENU_CALLS =
  "update calls as c set ivr_node = v.node, ivr_retries = v.retries, " +
  "ivr_path = c.ivr_path || jsonb_build_array(jsonb_strip_nulls(jsonb_build_object('node', v.node, 'at', v.at, 'input', v.input, 'language', coalesce(v.language, c.language)))), " +
  "language = coalesce(v.language, c.language), topic = coalesce(v.topic, c.topic), priority = coalesce(v.priority, c.priority) " +
  `from json_to_recordset($1::json) as v(i integer, sid text, "fromNode" text, "fromAttempt" integer, node text, retries integer, at bigint, input text, language text, topic text, priority text) ` +
  `where c.sid = v.sid and c.state = 'ivr' and c.ivr_node = v."fromNode" and c.ivr_retries = v."fromAttempt" ` +
  "returning v.i, c.language";

async function stepMenuCalls(db: Db, writes: readonly IvrStepWrite[]): Promise<Array<MenuStepped | undefined>> {
  const steps = writes.map((w, i) => ({ i, ...stepValues(w) }));
  // On the pool, as Storage.single runs it: PostgreSQL commits the statement on its own.
  const { rows } = await (db as unknown as PgDb).$client.query<MenuStepped & { i: number }>({ name: "stepMenuCalls", text: STEP_MENU_CALLS, values: [JSON.stringify(steps)] });
  const stepped = new Array<MenuStepped | undefined>(writes.length);
  for (const { i, language } of rows) stepped[i] = { language };
  return stepped;
}

/** Passed to the driver as given: drizzle's own placeholders in SET would encode null as JSON "null". */
const value = (name: string) => sql`${sql.placeholder(name)}`;

/** Two statements: a menu step leaves state and queued_at out of SET, so SQLite leaves their indexes alone. */
const buildMenuStep = (tx: Tx) => buildStep(tx, false);
const buildQueueStep = (tx: Tx) => buildStep(tx, true);

function buildStep(tx: Tx, queued: boolean) {
  const { calls } = tables(tx);
  const language = sql`coalesce(${value("language")}, ${calls.language})`;
  // The step's record, as the arrival writes it: {node, at, input, language}, without language while none is known.
  const appended = dialect(tx, {
    sqlite: sql`json_insert(${calls.ivrPath}, '$[#]', json_patch(json_object('node', ${value("node")}, 'at', ${value("at")}, 'input', ${value("input")}), json_object('language', ${language})))`,
    postgres: sql`${calls.ivrPath} || jsonb_build_array(jsonb_strip_nulls(jsonb_build_object('node', ${value("node")}::text, 'at', ${value("at")}::bigint, 'input', ${value("input")}::text, 'language', ${language})))`,
  });
  return tx
    .update(calls)
    .set({
      ivrNode: value("node"),
      ivrRetries: value("retries"),
      ivrPath: appended,
      language,
      topic: sql`coalesce(${value("topic")}, ${calls.topic})`,
      priority: sql`coalesce(${value("priority")}, ${calls.priority})`,
      ...(queued ? { state: "queued" as const, queuedAt: value("at") } : {}),
    })
    .where(and(eq(calls.sid, sql.placeholder("sid")), eq(calls.state, "ivr"), eq(calls.ivrNode, sql.placeholder("fromNode")), eq(calls.ivrRetries, sql.placeholder("fromAttempt"))))
    .returning({ language: calls.language, topic: calls.topic, priority: calls.priority })
    .prepare(queued ? "stepIvrCall queued" : "stepIvrCall");
}

/**
 * The language a number chose on its latest call since `since`, for the returning-caller shortcut: read
 * from calls_from_idx. Its constants are written into the statement: with LIMIT bound as a parameter
 * SQLite took three times as long over the same index (drizzle binds `.limit(1)`).
 */
export async function recentLanguage(db: Db, e164: string, since: number): Promise<string | undefined> {
  const { calls } = tables(db);
  const query = prepared(db, "recentLanguage", () =>
    db
      .select({ language: calls.language })
      .from(calls)
      .where(and(eq(calls.fromE164, sql.placeholder("e164")), gte(calls.createdAt, sql.placeholder("since")), isNotNull(calls.language), sql`${calls.direction} = 'inbound'`))
      .orderBy(desc(calls.createdAt))
      .limit(sql`1` as never)
      .prepare("recentLanguage"),
  );
  return first(await executed(query, { e164, since }))?.language ?? undefined;
}
