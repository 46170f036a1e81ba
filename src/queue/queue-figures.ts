import { and, eq, ne } from "drizzle-orm";
import { tables, type Db } from "../../db/storage.js";
import { estimateWaitMinutes } from "./queue-order.js";
import { entryForCall, positionInQueue } from "./queue-store.js";

/** What a waiting caller is told: their place among callers of their language, and the expected wait. */
export async function waitAnnouncement(db: Db, callSid: string, averageHandleSeconds: number): Promise<{ position: number; minutes: number } | undefined> {
  const { users } = tables(db);
  const entry = await entryForCall(db, callSid);
  if (!entry) return undefined;
  const position = await positionInQueue(db, entry);
  const staffed = (
    await db
      .select({ languages: users.languages })
      .from(users)
      .where(and(eq(users.role, "agent"), ne(users.status, "offline"), ne(users.status, "break")))
  ).filter((a) => a.languages.includes(entry.language)).length;
  return { position, minutes: estimateWaitMinutes(position, staffed, averageHandleSeconds) };
}
