import { and, desc, eq, inArray } from "drizzle-orm";
import { countAll, first, tables, type Db, type Tables } from "../../db/storage.js";

type RecordingRow = Tables["promptRecordings"]["$inferSelect"];
export type RecordingStatus = RecordingRow["status"];

/** Everything about a recording but its bytes: what lists and the page show. */
export function recordingFields(db: Db) {
  const { promptRecordings } = tables(db);
  return {
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
}
export type RecordingInfo = { [K in keyof ReturnType<typeof recordingFields>]: RecordingRow[K] };

export async function recordingInfo(db: Db, id: number): Promise<RecordingInfo | undefined> {
  const { promptRecordings } = tables(db);
  return first(await db.select(recordingFields(db)).from(promptRecordings).where(eq(promptRecordings.id, id)));
}

/** Newest first; by status when given. */
export async function listRecordings(db: Db, statuses?: RecordingStatus[]): Promise<RecordingInfo[]> {
  const { promptRecordings } = tables(db);
  const where = statuses ? inArray(promptRecordings.status, statuses) : undefined;
  return await db.select(recordingFields(db)).from(promptRecordings).where(where).orderBy(desc(promptRecordings.id));
}

/** The audio of a recording in one of the given statuses. */
export async function recordingAudio(db: Db, id: number, statuses: RecordingStatus[]): Promise<{ audio: Buffer; format: string } | undefined> {
  const { promptRecordings } = tables(db);
  return first(
    await db
      .select({ audio: promptRecordings.audio, format: promptRecordings.format })
      .from(promptRecordings)
      .where(and(eq(promptRecordings.id, id), inArray(promptRecordings.status, statuses))),
  );
}

/** prompt and language of every approved recording, with its id: what the prompt catalog's index holds. */
export async function approvedRecordings(db: Db): Promise<Array<{ id: number; prompt: string; language: string }>> {
  const { promptRecordings } = tables(db);
  return await db
    .select({ id: promptRecordings.id, prompt: promptRecordings.prompt, language: promptRecordings.language })
    .from(promptRecordings)
    .where(eq(promptRecordings.status, "approved"));
}

export async function countRecordings(db: Db): Promise<number> {
  const { promptRecordings } = tables(db);
  return first(await db.select({ n: countAll() }).from(promptRecordings))?.n ?? 0;
}
