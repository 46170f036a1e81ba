import { eq, sql } from "drizzle-orm";
import type { PgUpdateSetSource } from "drizzle-orm/pg-core";
import { first, tables, type Db, type Tables } from "../../db/storage.js";
import { inTransaction, type Ctx } from "../events/event-log.js";
import type { Language } from "../languages.js";
import type { NormalisedAudio } from "./audio-normaliser.js";
import { insertDraft } from "./prompt-recordings.js";

type SessionsTable = Tables["recordingSessions"];
export type SessionRow = SessionsTable["$inferSelect"];
export type SessionStatus = SessionRow["status"];
/** A change of a session's row: the values, or (when they refer to its columns) made from the engine's table. */
type SessionSet = PgUpdateSetSource<SessionsTable> | ((t: SessionsTable) => PgUpdateSetSource<SessionsTable>);

/**
 * A supervisor records a prompt on their own phone: the server calls them (calling), they record a take
 * (recording), listen to it (reviewing), then keep it (keeping, while the audio is fetched; kept, a draft)
 * or record again. The call ending without a kept take ends the session.
 */
const OPEN: ReadonlySet<SessionStatus> = new Set(["calling", "recording", "reviewing"]);

export async function sessionById(db: Db, id: number): Promise<SessionRow | undefined> {
  const { recordingSessions } = tables(db);
  return first(await db.select().from(recordingSessions).where(eq(recordingSessions.id, id)));
}

export async function startSession(ctx: Ctx, init: { prompt: string; language: Language; phone: string; requestedBy: string }): Promise<SessionRow> {
  return inTransaction(ctx, async (tx, record) => {
    const { recordingSessions } = tables(tx);
    const row = first(await tx.insert(recordingSessions).values({ ...init, createdAt: ctx.clock.now() }).returning())!;
    // The phone number stays in the session row: events are kept longer and shown more widely.
    await record({ type: "recording_session.started", userId: init.requestedBy, data: { sessionId: row.id, prompt: init.prompt, language: init.language } });
    return row;
  });
}

/** One change of an open session, with its event; a session no longer in `from` is left as it is. */
async function move(ctx: Ctx, id: number, from: ReadonlySet<SessionStatus>, set: SessionSet, event: string, data: Record<string, unknown> = {}, dedupeKey?: string): Promise<SessionRow | undefined> {
  return inTransaction(ctx, async (tx, record) => {
    const { recordingSessions } = tables(tx);
    const session = await sessionById(tx, id);
    if (!session || !from.has(session.status)) return session;
    if (!(await record({ type: `recording_session.${event}`, userId: session.requestedBy, data: { sessionId: id, ...data }, dedupeKey }))) return sessionById(tx, id);
    await tx
      .update(recordingSessions)
      .set(typeof set === "function" ? set(recordingSessions) : set)
      .where(eq(recordingSessions.id, id));
    return sessionById(tx, id);
  });
}

export const callPlaced = (ctx: Ctx, id: number, callSid: string) => move(ctx, id, new Set(["calling"]), { callSid }, "call_placed", { callSid });

/** The phone was answered, or the supervisor pressed 2: the next take is being recorded. */
export const takeStarted = (ctx: Ctx, id: number) => move(ctx, id, OPEN, { status: "recording", takeUrl: null }, "take_started");

/** A take arrived (Twilio's Record action): it is played back. A repeated action (same RecordingSid) changes nothing. */
export const takeRecorded = (ctx: Ctx, id: number, take: { url: string; sid: string; seconds: number }) =>
  move(ctx, id, new Set(["recording"]), (t) => ({ status: "reviewing", takeUrl: take.url, takes: sql`${t.takes} + 1` }), "take_recorded", { recordingSid: take.sid, seconds: take.seconds }, `recording_take:${take.sid}`);

/** The supervisor pressed 1: the take is fetched from the carrier, then stored as a draft. */
export const keepTake = (ctx: Ctx, id: number) => move(ctx, id, new Set(["reviewing"]), { status: "keeping" }, "take_kept");

/** The fetched take becomes a draft, in the same transaction as the session that asked for it. */
export async function takeStored(ctx: Ctx, id: number, audio: NormalisedAudio): Promise<number | undefined> {
  return inTransaction(ctx, async (tx, record) => {
    const { recordingSessions } = tables(tx);
    const session = await sessionById(tx, id);
    if (!session || session.status !== "keeping") return session?.recordingId ?? undefined;
    const now = ctx.clock.now();
    const draft = { prompt: session.prompt, language: session.language as Language, audio, source: "phone" as const, recordedBy: session.requestedBy };
    const recordingId = await insertDraft(tx, record, now, draft, { sessionId: id });
    await tx.update(recordingSessions).set({ status: "kept", recordingId, endedAt: now }).where(eq(recordingSessions.id, id));
    return recordingId;
  });
}

/** The take could not be fetched or read: nothing is stored, the supervisor sees why on the page. */
export const takeLost = (ctx: Ctx, id: number, reason: string) =>
  move(ctx, id, new Set(["keeping"]), { status: "failed", endedAt: ctx.clock.now() }, "take_lost", { reason });

/** The call ended (or was never answered) with no take kept; a take being fetched still becomes a draft. */
export const callEnded = (ctx: Ctx, id: number, carrierStatus: string) =>
  move(ctx, id, OPEN, { status: carrierStatus === "completed" ? "ended" : "failed", endedAt: ctx.clock.now() }, "ended", { carrierStatus });
