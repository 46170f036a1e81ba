import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SIMULATOR_ACCOUNT_SID } from "../../src/hotline.js";
import { startHotline, TEST_ADMIN_TOKEN, type Running } from "../support/hotline-fixture.js";
import { newCallSid, signedPost } from "../support/signed-post.js";
import { freshPgDatabase } from "../support/test-database.js";

// Two instances of the hotline on one PostgreSQL database, each with its own connections and its own
// process state, as behind a balancer: a caller's webhook may reach either.

const RACES = 1_000;
let a: Running;
let b: Running;

beforeAll(async () => {
  const env = { DATABASE_URL: await freshPgDatabase(), LINES: "1", OVERFLOW_MODE: "reject" };
  a = await startHotline(env);
  b = await startHotline(env);
});
afterAll(async () => {
  await a?.stop();
  await b?.stop();
});

const arrive = (at: Running, sid: string, from: string) => signedPost(at.baseUrl, "/twilio/voice", { CallSid: sid, AccountSid: SIMULATOR_ACCOUNT_SID, From: from, To: "+6621300" });
const hangUp = (at: Running, sid: string) => signedPost(at.baseUrl, "/twilio/status", { CallSid: sid, AccountSid: SIMULATOR_ACCOUNT_SID, CallStatus: "completed" });

describe("two instances racing for the last line", () => {
  it(`${RACES} times two calls arrive at once, one at each instance, for one free line: exactly one is admitted`, async () => {
    let admittedByA = 0;
    let admittedByB = 0;
    for (let i = 0; i < RACES; i++) {
      const [sidA, sidB] = [newCallSid(), newCallSid()];
      const [atA, atB] = await Promise.all([arrive(a, sidA, `+6681${String(i).padStart(7, "0")}`), arrive(b, sidB, `+6682${String(i).padStart(7, "0")}`)]);
      expect([atA.status, atB.status]).toEqual([200, 200]);
      const admitted = [atA, atB].map((r) => !r.body.includes("<Reject"));
      // Never both, never neither: the line was free, and only one.
      expect(admitted.filter(Boolean)).toHaveLength(1);
      if (admitted[0]) admittedByA++;
      else admittedByB++;
      // The admitted caller hangs up; the status callback may reach either instance.
      const winner = admitted[0] ? sidA : sidB;
      expect((await hangUp(i % 2 ? a : b, winner)).status).toBe(200);
    }
    // Both instances won races: the test raced them, it did not serialize them.
    expect(admittedByA).toBeGreaterThan(0);
    expect(admittedByB).toBeGreaterThan(0);
    const stats = await (await fetch(`${a.baseUrl}/api/stats`, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } })).json();
    expect(stats.lines).toEqual({ capacity: 1, inUse: 0 });
  });
});
