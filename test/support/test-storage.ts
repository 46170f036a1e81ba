import { afterAll } from "vitest";
import { openPgStorage } from "../../db/pg-storage.js";
import { openSqliteStorage } from "../../db/sqlite-storage.js";
import type { Storage } from "../../db/storage.js";
import { ManualClock } from "../../src/clock.js";
import { EventBus, type Ctx } from "../../src/events/event-log.js";
import { freshPgDatabase, testEngine } from "./test-database.js";

// Storage ports opened by a test file, closed after its tests (the hook is the importing file's).
const opened: Storage[] = [];
afterAll(async () => {
  for (const s of opened.splice(0)) await s.close();
});

/** Storages a test opened itself, closed with the others after the file's tests. */
export function closeAfterTests(...storages: Storage[]): void {
  opened.push(...storages);
}

/** The storage port on this run's engine: an in-memory SQLite, or a fresh database on the test cluster. */
export async function openTestStorage(): Promise<Storage> {
  const onError = () => {};
  const storage = testEngine === "postgres" ? await openPgStorage(await freshPgDatabase(), { onError }) : openSqliteStorage(":memory:", { checkpointIntervalMs: 1_000, onError });
  opened.push(storage);
  return storage;
}

/** The domain's context on a storage: a manual clock, a bus of its own, the default callback and referral rules. */
export function domainContext(storage: Storage, clock = new ManualClock(1_000)): Ctx {
  return {
    storage,
    db: storage.db,
    clock,
    bus: new EventBus(),
    callbackPolicy: { slaMinutes: { emergency: 15, normal: 120 }, retryMinutes: [120], claimMinutes: 10 },
    referralDueHours: 72,
  };
}
