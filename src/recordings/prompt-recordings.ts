import { and, eq } from "drizzle-orm";
import { promptRecordings } from "../../db/schema.js";
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
export function saveDraft(ctx: Ctx, draft: NewDraft): RecordingInfo {
  return inTransaction(ctx, (tx, record) => recordingInfo(tx, insertDraft(tx, record, ctx.clock.now(), draft))!);
}

/** The draft's row and its event, inside a caller's transaction (a phone session stores its take with its own change). */
export function insertDraft(tx: Tx, record: RecordEvent, now: number, draft: NewDraft, extra: { sessionId?: number } = {}): number {
  const row = tx
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
      .returning({ id: promptRecordings.id })
      .get();
  record({
    type: "recording.drafted",
    userId: draft.recordedBy,
    data: { recordingId: row.id, prompt: draft.prompt, language: draft.language, source: draft.source, durationMs: draft.audio.durationMs, ...extra },
  });
  return row.id;
}

/** Approves a draft: callers of that language hear it from now on, and the one approved before is replaced. */
export function approveRecording(ctx: Ctx, id: number, userId: string): RecordingInfo {
  return decide(ctx, id, userId, "approved");
}

export function rejectRecording(ctx: Ctx, id: number, userId: string): RecordingInfo {
  return decide(ctx, id, userId, "rejected");
}

function decide(ctx: Ctx, id: number, userId: string, status: "approved" | "rejected"): RecordingInfo {
  return inTransaction(ctx, (tx, record) => {
    const current = recordingInfo(tx, id);
    if (!current) throw new RecordingError("not_found", `recording ${id} not found`);
    if (current.status !== "draft") throw new RecordingError("conflict", `recording ${id} is ${current.status}, not a draft`);
    const now = ctx.clock.now();
    let replaced: number | undefined;
    if (status === "approved") {
      const before = tx
        .update(promptRecordings)
        .set({ status: "replaced" })
        .where(and(eq(promptRecordings.prompt, current.prompt), eq(promptRecordings.language, current.language), eq(promptRecordings.status, "approved")))
        .returning({ id: promptRecordings.id })
        .get();
      replaced = before?.id;
    }
    tx.update(promptRecordings).set({ status, decidedBy: userId, decidedAt: now }).where(eq(promptRecordings.id, id)).run();
    record({
      type: `recording.${status}`,
      userId,
      data: { recordingId: id, prompt: current.prompt, language: current.language, recordedBy: current.recordedBy, ...(replaced ? { replaced } : {}) },
    });
    return recordingInfo(tx, id)!;
  });
}
