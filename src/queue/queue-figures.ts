import { and, eq, ne } from "drizzle-orm";
import { users } from "../../db/schema.js";
import type { Db } from "../../db/connection.js";
import { estimateWaitMinutes } from "./queue-order.js";
import { entryForCall, positionInQueue } from "./queue-store.js";

/** What a waiting caller is told: their place among callers of their language, and the expected wait. */
export function waitAnnouncement(db: Db, callSid: string, averageHandleSeconds: number): { position: number; minutes: number } | undefined {
  const entry = entryForCall(db, callSid);
  if (!entry) return undefined;
  const position = positionInQueue(db, entry);
  const staffed = db
    .select({ languages: users.languages })
    .from(users)
    .where(and(eq(users.role, "agent"), ne(users.status, "offline"), ne(users.status, "break")))
    .all()
    .filter((a) => a.languages.includes(entry.language)).length;
  return { position, minutes: estimateWaitMinutes(position, staffed, averageHandleSeconds) };
}
