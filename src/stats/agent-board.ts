import { and, eq, inArray, ne } from "drizzle-orm";
import { tables, type Db } from "../../db/storage.js";

/**
 * The agents on duty as the wallboard lists them: who, in which state since when, and the language and
 * topic of the call they are on (never the caller's number: wallboards are seen by many).
 */
export async function agentBoard(db: Db, now: number) {
  const { calls, users } = tables(db);
  const rows = await db
    .select({ id: users.id, name: users.name, status: users.status, statusSince: users.statusSince, languages: users.languages, callSid: users.currentCallSid })
    .from(users)
    .where(and(eq(users.role, "agent"), eq(users.active, true), ne(users.status, "offline")))
    .orderBy(users.name);
  const sids = rows.map((r) => r.callSid).filter((s): s is string => s !== null);
  const onCalls = sids.length ? await db.select({ sid: calls.sid, language: calls.language, topic: calls.topic, priority: calls.priority }).from(calls).where(inArray(calls.sid, sids)) : [];
  const callsBySid = new Map(onCalls.map((c) => [c.sid, c]));
  return rows.map((r) => {
    const call = r.callSid ? callsBySid.get(r.callSid) : undefined;
    return {
      id: r.id,
      name: r.name,
      status: r.status,
      statusSince: new Date(r.statusSince).toISOString(),
      /** As of this answer: a page ages it with its own clock, whatever the skew between the two. */
      secondsInStatus: Math.max(0, Math.round((now - r.statusSince) / 1000)),
      languages: r.languages,
      call: call ? { language: call.language, topic: call.topic, priority: call.priority } : null,
    };
  });
}
export type AgentBoard = Awaited<ReturnType<typeof agentBoard>>;
