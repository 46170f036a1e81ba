import type { Language } from "../languages.js";
import { inOneStatement, inTransaction, type Ctx, type RecordEvent, type Tx } from "../events/event-log.js";
import { lineUse } from "../lines/line-capacity.js";
import { findCall, insertCall, recentLanguage, stepIvrCall, stepMenuCall, updateCall, type CallRow, type IvrStepWrite, type SteppedFacts } from "./call-store.js";
import { toE164 } from "./phone-number.js";
import type { Answer, CallFacts, Decision, Step } from "../ivr/flow-engine.js";
import type { Topic } from "../ivr/flow-schema.js";
import { enqueueCall, releaseCaller } from "../queue/queue-service.js";
import { recordMiss } from "../callbacks/callback-service.js";
import type { MissReason } from "../callbacks/callback-rules.js";

export interface InboundArrival {
  sid: string;
  from: string;
  to: string;
  /** Days a chosen language is remembered for the returning-caller shortcut. */
  rememberDays: number;
  /** The IVR's first step for this caller, stored in the same transaction that admits them. */
  firstStep: (knownLanguage: Language | undefined) => Decision;
}

export type ArrivalResult =
  | { kind: "admitted"; call: CallRow; decision: Decision; knownLanguage: Language | undefined }
  | { kind: "overflow"; call: CallRow }
  /** Twilio repeated the first webhook: the call exists and nothing changes. */
  | { kind: "repeat"; call: CallRow };

/**
 * A call reaches the number. Taking a line is one transaction, serialized with every other writer, that
 * counts the lines in use, so two calls arriving together can never both take the last one.
 */
export function admitInboundCall(ctx: Ctx, arrival: InboundArrival): Promise<ArrivalResult> {
  return inTransaction(ctx, (tx, record) => admit(ctx, tx, record, arrival));
}

// Module functions, not closures made per arrival (under tsx each closure also pays a `__name` call).
async function admit(ctx: Ctx, tx: Tx, record: RecordEvent, arrival: InboundArrival): Promise<ArrivalResult> {
  const now = ctx.clock.now();
  const fromE164 = toE164(arrival.from);
  const lines = await lineUse(tx);
  if (lines.inUse >= lines.capacity) {
    const call = newCall(arrival, fromE164, now);
    call.state = "ended";
    call.outcome = "overflow";
    call.endedAt = now;
    if (!(await insertCall(tx, call))) return repeat(tx, arrival.sid);
    await record({ type: "call.overflow", callSid: call.sid, data: { lines: lines.capacity } });
    await recordMiss(tx, record, ctx.callbackPolicy, call, "overflow", now);
    return { kind: "overflow", call };
  }
  const known = fromE164 ? await recentLanguage(tx, fromE164, now - arrival.rememberDays * 86_400_000) : undefined;
  const knownLanguage = known as Language | undefined;
  const decision = arrival.firstStep(knownLanguage);
  // The call is stored with its first step in one insert (as if inserted in the IVR and then stepped).
  const arrived = newCall(arrival, fromE164, now);
  arrived.language = known ?? null;
  arrived.holdsLine = true;
  const call = Object.assign(arrived, ivrStepPatch(arrived, decision, now));
  if (!(await insertCall(tx, call))) return repeat(tx, arrival.sid);
  await record({ type: "call.arrived", callSid: call.sid, data: { returning: Boolean(known) } });
  await afterIvrStep(tx, record, call, decision, now);
  return { kind: "admitted", call, decision, knownLanguage };
}

/** Twilio repeated the first webhook when the insert finds the call stored: it changes nothing. */
async function repeat(tx: Tx, sid: string): Promise<ArrivalResult> {
  return { kind: "repeat", call: (await findCall(tx, sid))! };
}

/** Every column given: one prepared insert stores the call, taken in or turned away, and nothing is read back. */
function newCall(arrival: InboundArrival, fromE164: string | null, now: number): CallRow {
  return {
    sid: arrival.sid,
    direction: "inbound",
    fromRaw: arrival.from,
    fromE164,
    toRaw: arrival.to,
    state: "ivr",
    outcome: null,
    language: null,
    topic: null,
    priority: "normal",
    ivrNode: null,
    ivrRetries: 0,
    ivrPath: [],
    holdsLine: false,
    carrierStatus: null,
    agentId: null,
    parentSid: null,
    callbackId: null,
    queuePosition: null,
    createdAt: now,
    queuedAt: null,
    offeredAt: null,
    connectedAt: null,
    endedAt: null,
  };
}

/** The columns an IVR step changes: the node, what was pressed, the facts it set. */
function ivrStepPatch(call: CallRow, decision: Decision, now: number) {
  const { step, facts } = decision;
  return {
    ivrNode: step.node,
    ivrRetries: step.kind === "menu" ? step.attempt : 0,
    ivrPath: [...call.ivrPath, { node: step.node, at: now, input: decision.input, language: facts.language }],
    language: facts.language ?? null,
    topic: facts.topic ?? null,
    priority: facts.priority,
    ...(step.kind === "queue" ? { state: "queued" as const, queuedAt: now } : {}),
  };
}

/**
 * What follows a stored step that reached the queue: the queue entry and its event. A step between menus
 * writes no event: the call's own path (ivr_path: node, time, key, language) and the webhook trail already
 * hold it, nothing listens for it, and its row was a tenth of the step's CPU.
 */
async function afterIvrStep(tx: Tx, record: RecordEvent, stepped: Pick<CallRow, "sid" | "language" | "priority">, decision: Decision, now: number): Promise<void> {
  const { step, facts } = decision;
  if (step.kind !== "queue") return;
  await enqueueCall(tx, record, stepped, now);
  await record({ type: "call.queued", callSid: stepped.sid, data: { node: step.node, input: decision.input, language: facts.language, topic: facts.topic, priority: facts.priority } });
}

/**
 * Stores where the IVR took a caller who answered the menu `from` (node and attempt): the step, what they
 * pressed and the facts it set, in one conditional write (stepIvrCall). Undefined when the call is not
 * waiting there: Twilio repeated the answer, posted a late one, or the call is unknown; nothing changes.
 * A step to another menu is that one statement alone (inOneStatement: its WHERE is the whole decision, and
 * it changes nothing any other writer decides on); a step into the queue also enqueues the call, with the
 * other writers held off. Answers where the call went and the language it is spoken to in there.
 */
export async function recordIvrStep(ctx: Ctx, sid: string, from: { node: string; attempt: number }, answer: Answer, now: number): Promise<IvrStepped | undefined> {
  const { step, input, set } = answer;
  const write: IvrStepWrite = {
    sid,
    fromNode: from.node,
    fromAttempt: from.attempt,
    node: step.node,
    retries: step.kind === "menu" ? step.attempt : 0,
    set,
    input,
    at: now,
    queued: step.kind === "queue",
  };
  if (!write.queued) {
    const stepped = await inOneStatement(ctx, (db) => stepMenuCall(db, write));
    return stepped && { step, language: (stepped.language ?? undefined) as Language | undefined };
  }
  return inTransaction(ctx, async (tx, record) => {
    const stepped = await stepIvrCall(tx, write);
    if (!stepped) return undefined;
    const decision = decided(answer, stepped);
    await afterIvrStep(tx, record, { sid, language: stepped.language, priority: stepped.priority }, decision, now);
    return { step, language: decision.facts.language };
  });
}

/** Where an IVR answer took the call, and the language it is spoken to in there (undefined while none is known). */
export interface IvrStepped {
  step: Step;
  language: Language | undefined;
}

/** The decision a stored step stands for, with the call's facts as the step left them. */
function decided({ step, input }: Answer, stepped: SteppedFacts): Decision {
  const facts: CallFacts = {
    language: (stepped.language ?? undefined) as Language | undefined,
    topic: (stepped.topic ?? undefined) as Topic | undefined,
    priority: stepped.priority,
  };
  return { facts, step, input };
}

const TERMINAL = new Set(["completed", "busy", "failed", "no-answer", "canceled"]);
export const isTerminalStatus = (status: string) => TERMINAL.has(status);

/** The outcome of an inbound call that ends in a given state. */
export function outcomeFor(state: CallRow["state"], call: CallRow): string {
  switch (state) {
    case "ivr":
      return "abandoned_ivr";
    case "queued":
      return "abandoned_queue";
    case "ringing":
      return "abandoned_ringing";
    case "connected":
      return "answered";
    default:
      return call.outcome ?? "ended";
  }
}

export interface StatusUpdate {
  sid: string;
  status: string;
  /** Twilio's SequenceNumber when it sends one: part of the dedupe key. */
  sequence?: string;
}

/**
 * A status callback for an inbound call. The dedupe key makes a repeated callback a no-op, and the
 * state check makes a late one (ringing after completed) change nothing.
 */
export function applyInboundStatus(ctx: Ctx, update: StatusUpdate): Promise<CallRow | undefined> {
  return inTransaction(ctx, async (tx, record) => {
    const fresh = await record({
      type: "call.status",
      callSid: update.sid,
      data: { status: update.status, sequence: update.sequence },
      dedupeKey: `status:${update.sid}:${update.status}`,
    });
    const call = await findCall(tx, update.sid);
    if (!fresh || !call) return call;
    if (!isTerminalStatus(update.status)) {
      if (call.state !== "ended") await updateCall(tx, call.sid, { carrierStatus: update.status });
      return call;
    }
    return endCall(ctx, tx, record, call, update.status, ctx.clock.now());
  });
}

/**
 * The one place a call ends: its outcome is fixed from where it was (or given: `outage` when the server
 * failed the caller), its line is freed, and a caller who hung up before reaching anyone, or whom the
 * server failed, gets a callback item in the same transaction.
 */
export async function endCall(ctx: Ctx, tx: Tx, record: RecordEvent, call: CallRow, status: string, now: number, given?: "outage"): Promise<CallRow> {
  if (call.state === "ended") {
    if (call.holdsLine) await updateCall(tx, call.sid, { holdsLine: false });
    return { ...call, holdsLine: false };
  }
  const outcome = given ?? outcomeFor(call.state, call);
  const queuePosition = (await releaseCaller(tx, record, call, now)) ?? call.queuePosition;
  const patch = { state: "ended" as const, outcome, endedAt: now, holdsLine: false, carrierStatus: status, queuePosition };
  await updateCall(tx, call.sid, patch);
  await record({
    type: "call.ended",
    callSid: call.sid,
    userId: call.agentId,
    data: { outcome, from: call.state, node: call.ivrNode, queuePosition, afterSeconds: Math.round((now - call.createdAt) / 1000) },
  });
  if (outcome.startsWith("abandoned_") || outcome === "outage") await recordMiss(tx, record, ctx.callbackPolicy, { ...call, ...patch }, outcome as MissReason, now);
  return { ...call, ...patch };
}
