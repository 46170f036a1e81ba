import { and, desc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../../db/connection.js";
import { promptRecordings } from "../../db/schema.js";
import type { Tx } from "../events/event-log.js";

type Reader = Pick<Tx, "select"> | Db;
export type RecordingStatus = (typeof promptRecordings.status.enumValues)[number];

/** Everything about a recording but its bytes: what lists and the page show. */
export const recordingFields = {
  id: promptRecordings.id,
  prompt: promptRecordings.prompt,
  language: promptRecordings.language,
  format: promptRecordings.format,
  durationMs: promptRecordings.durationMs,
  source: promptRecordings.source,
  status: promptRecordings.status,
  recordedBy: promptRecordings.recordedBy,
  decidedBy: promptRecordings.decidedBy,
  createdAt: promptRecordings.createdAt,
  decidedAt: promptRecordings.decidedAt,
};
export type RecordingInfo = { [K in keyof typeof recordingFields]: (typeof promptRecordings.$inferSelect)[K] };

export function recordingInfo(db: Reader, id: number): RecordingInfo | undefined {
  return db.select(recordingFields).from(promptRecordings).where(eq(promptRecordings.id, id)).get();
}

/** Newest first; by status when given. */
export function listRecordings(db: Reader, statuses?: RecordingStatus[]): RecordingInfo[] {
  const where = statuses ? inArray(promptRecordings.status, statuses) : undefined;
  return db.select(recordingFields).from(promptRecordings).where(where).orderBy(desc(promptRecordings.id)).all();
}

/** The audio of a recording in one of the given statuses. */
export function recordingAudio(db: Reader, id: number, statuses: RecordingStatus[]): { audio: Buffer; format: string } | undefined {
  return db
    .select({ audio: promptRecordings.audio, format: promptRecordings.format })
    .from(promptRecordings)
    .where(and(eq(promptRecordings.id, id), inArray(promptRecordings.status, statuses)))
    .get();
}

/** prompt and language of every approved recording, with its id: what the prompt catalog's index holds. */
export function approvedRecordings(db: Reader): Array<{ id: number; prompt: string; language: string }> {
  return db
    .select({ id: promptRecordings.id, prompt: promptRecordings.prompt, language: promptRecordings.language })
    .from(promptRecordings)
    .where(eq(promptRecordings.status, "approved"))
    .all();
}

export function countRecordings(db: Reader): number {
  return db.select({ n: sql<number>`count(*)` }).from(promptRecordings).get()?.n ?? 0;
}
