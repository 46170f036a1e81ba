import { and, eq } from "drizzle-orm";
import { first, tables } from "../../db/storage.js";
import { inTransaction, type Ctx, type RecordEvent, type Tx } from "../events/event-log.js";
import type { Language } from "../languages.js";
import { recordingInfo, type RecordingInfo } from "./recording-store.js";
import type { NormalisedAudio } from "./audio-normaliser.js";

/** A recording request the domain refuses; the HTTP edge maps the code to a status. */
export class RecordingError extends Error {
  constructor(
    readonly code: "invalid" | "not_found" | "conflict",
    message: string,
  ) {
    super(message);
  }
}

export interface NewDraft {
  prompt: string;
  language: Language;
  audio: NormalisedAudio;
  source: "phone" | "upload";
  recordedBy: string;
}

/** Keeps a recording as a draft: nobody hears it until a supervisor approves it. */
export async function saveDraft(ctx: Ctx, draft: NewDraft): Promise<RecordingInfo> {
  return inTransaction(ctx, async (tx, record) => (await recordingInfo(tx, await insertDraft(tx, record, ctx.clock.now(), draft)))!);
}

/** The draft's row and its event, inside a caller's transaction (a phone session stores its take with its own change). */
export async function insertDraft(tx: Tx, record: RecordEvent, now: number, draft: NewDraft, extra: { sessionId?: number } = {}): Promise<number> {
  const { promptRecordings } = tables(tx);
  const row = first(
    await tx
      .insert(promptRecordings)
      .values({
        prompt: draft.prompt,
        language: draft.language,
        audio: draft.audio.wav,
        format: "wav-pcm16-8k",
        durationMs: draft.audio.durationMs,
        source: draft.source,
        recordedBy: draft.recordedBy,
        createdAt: now,
      })
      .returning({ id: promptRecordings.id }),
  )!;
  await record({
    type: "recording.drafted",
    userId: draft.recordedBy,
    data: { recordingId: row.id, prompt: draft.prompt, language: draft.language, source: draft.source, durationMs: draft.audio.durationMs, ...extra },
  });
  return row.id;
}

/** Approves a draft: callers of that language hear it from now on, and the one approved before is replaced. */
export async function approveRecording(ctx: Ctx, id: number, userId: string): Promise<RecordingInfo> {
  return decide(ctx, id, userId, "approved");
}

export async function rejectRecording(ctx: Ctx, id: number, userId: string): Promise<RecordingInfo> {
  return decide(ctx, id, userId, "rejected");
}

async function decide(ctx: Ctx, id: number, userId: string, status: "approved" | "rejected"): Promise<RecordingInfo> {
  return inTransaction(ctx, async (tx, record) => {
    const { promptRecordings } = tables(tx);
    const current = await recordingInfo(tx, id);
    if (!current) throw new RecordingError("not_found", `recording ${id} not found`);
    if (current.status !== "draft") throw new RecordingError("conflict", `recording ${id} is ${current.status}, not a draft`);
    const now = ctx.clock.now();
    let replaced: number | undefined;
    if (status === "approved") {
      const before = first(
        await tx
          .update(promptRecordings)
          .set({ status: "replaced" })
          .where(and(eq(promptRecordings.prompt, current.prompt), eq(promptRecordings.language, current.language), eq(promptRecordings.status, "approved")))
          .returning({ id: promptRecordings.id }),
      );
      replaced = before?.id;
    }
    await tx.update(promptRecordings).set({ status, decidedBy: userId, decidedAt: now }).where(eq(promptRecordings.id, id));
    await record({
      type: `recording.${status}`,
      userId,
      data: { recordingId: id, prompt: current.prompt, language: current.language, recordedBy: current.recordedBy, ...(replaced ? { replaced } : {}) },
    });
    return (await recordingInfo(tx, id))!;
  });
}
