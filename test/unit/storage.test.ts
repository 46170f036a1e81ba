import { setImmediate as nextTurn } from "node:timers/promises";
import { eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { openPgStorage } from "../../db/pg-storage.js";
import type { SqliteStorage } from "../../db/sqlite-storage.js";
import { countAll, tables, type Storage, type StoredEvent } from "../../db/storage.js";
import { inTransaction, type Ctx, type DomainEvent } from "../../src/events/event-log.js";
import { freshPgDatabase, testEngine } from "../support/test-database.js";
import { bounded } from "../support/bounded.js";
import { closeAfterTests, domainContext, openTestStorage } from "../support/test-storage.js";

// The storage port on this run's engine: what the domain relies on of every transaction.

const open = openTestStorage;

function contextOn(storage: Storage) {
  const ctx = domainContext(storage);
  const webhook: Ctx = { ...ctx, joinsGroup: true };
  const published: string[] = [];
  ctx.bus.subscribe((e: DomainEvent) => published.push(e.type));
  const addCall = (c: Ctx, sid: string, fail = false) =>
    inTransaction(c, async (tx, record) => {
      const { calls } = tables(tx);
      await tx.insert(calls).values({ sid, direction: "inbound", state: "ivr", createdAt: 1 });
      await record({ type: `arrived ${sid}`, callSid: sid });
      if (fail) throw new Error("handler failed");
    });
  const sids = async () => {
    const { calls } = tables(storage.db);
    return (await storage.db.select({ sid: calls.sid }).from(calls)).map((r) => r.sid).sort();
  };
  return { ctx, webhook, published, addCall, sids };
}

describe(`transactions on ${testEngine}`, () => {
  it("a transaction's events are published once it has committed, and a failed one publishes and keeps nothing", async () => {
    const { ctx, published, addCall, sids } = contextOn(await open());
    await addCall(ctx, "CA1");
    await expect(addCall(ctx, "CA2", true)).rejects.toThrow("handler failed");
    expect(published).toEqual(["arrived CA1"]);
    expect(await sids()).toEqual(["CA1"]);
  });

  it("a single statement is a transaction of its own, never part of a writer's that is in progress", async () => {
    const storage = await open();
    const { ctx, sids } = contextOn(storage);
    const insert = (sid: string) => (db: typeof storage.db) => {
      const { calls } = tables(db);
      return db.insert(calls).values({ sid, direction: "inbound", state: "ivr", createdAt: 1 });
    };
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let writing!: () => void;
    const wrote = new Promise<void>((resolve) => (writing = resolve));
    // A writer that inserts, waits, and rolls back; the single statement comes in between.
    const writer = inTransaction(ctx, async (tx) => {
      await insert("CA1")(tx);
      writing();
      await gate;
      throw new Error("rolled back");
    });
    await wrote;
    const single = storage.single(insert("CA2"));
    if (storage.engine === "postgres") {
      // It takes no writers' lock: it commits while the writer still holds it.
      await bounded(single, "the single statement, while a writer holds the lock");
      expect(await sids()).toEqual(["CA2"]);
    }
    release();
    await expect(writer).rejects.toThrow("rolled back");
    await single;
    expect(await sids()).toEqual(["CA2"]);
    // A statement that fails writes nothing.
    await expect(storage.single(insert("CA2"))).rejects.toThrow();
    expect(await sids()).toEqual(["CA2"]);
  });

  it("writers are serialized: of 50 racing for the last of 10 lines, exactly the free ones are admitted", async () => {
    const { ctx, sids } = contextOn(await open());
    const admit = (sid: string) =>
      inTransaction(ctx, async (tx) => {
        const { calls } = tables(tx);
        const [row] = await tx.select({ n: countAll() }).from(calls);
        if ((row?.n ?? 0) >= 10) return false;
        await tx.insert(calls).values({ sid, direction: "inbound", state: "ivr", createdAt: 1, holdsLine: true });
        return true;
      });
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => admit(`CA${i}`)));
    expect(results.filter(Boolean)).toHaveLength(10);
    expect(await sids()).toHaveLength(10);
  });

  it("a duplicate event key is written once: the second transaction learns it changed nothing", async () => {
    const { ctx } = contextOn(await open());
    const once = () => inTransaction(ctx, (_tx, record) => record({ type: "status", callSid: "CA1", dedupeKey: "CA1:completed" }));
    expect(await once()).toBe(true);
    expect(await once()).toBe(false);
  });
});

describe.runIf(testEngine === "postgres")("events between instances (PostgreSQL)", () => {
  it("another instance hears every committed event in commit order, a large one by its id, nothing rolled back and nothing for the log alone", async () => {
    const url = await freshPgDatabase();
    const onError = () => {};
    const here = await openPgStorage(url, { onError });
    const there = await openPgStorage(url, { onError });
    closeAfterTests(here, there);
    const heard: StoredEvent[] = [];
    let ownHeard = 0;
    await there.listen((e) => heard.push(e), () => {});
    await here.listen(() => ownHeard++, () => {});
    const { ctx } = contextOn(here);
    // Past NOTIFY's 8,000-byte limit: announced by id, read back from the events table.
    const note = "ก".repeat(4_000);
    // Announcements are quoted into the COMMIT's statement: quotes, backslashes and new lines come through.
    const awkward = `it's a "test" \\ back\\slash\nnew line; commit; --`;
    await inTransaction(ctx, async (_tx, record) => {
      await record({ type: "small", callSid: "CA1", data: { n: 1, awkward } });
      await record({ type: "large", callSid: "CA1", data: { note } });
    });
    await expect(
      inTransaction(ctx, async (_tx, record) => {
        await record({ type: "rolled back" });
        throw new Error("undone");
      }),
    ).rejects.toThrow("undone");
    // Events for the log alone (the webhook trail) are stored, one batch in one statement, and never announced.
    const published: string[] = [];
    ctx.bus.subscribe((e) => published.push(e.type));
    await inTransaction(ctx, async (tx, record) => {
      await here.appendToLog(tx, [
        { at: 5, type: "trail", callSid: "CA1", data: { path: "/twilio/ivr", awkward } },
        { at: 6, type: "trail", callSid: null, callbackId: 3, data: {} },
      ]);
      await record({ type: "last", userId: "u1" });
    });
    expect(published).toEqual(["last"]);
    const { events } = tables(here.db);
    const trail = await here.db.select().from(events).where(eq(events.type, "trail")).orderBy(events.id);
    expect(trail.map(({ at, callSid, callbackId, data, dedupeKey }) => ({ at, callSid, callbackId, data, dedupeKey }))).toEqual([
      { at: 5, callSid: "CA1", callbackId: null, data: { path: "/twilio/ivr", awkward }, dedupeKey: null },
      { at: 6, callSid: null, callbackId: 3, data: {}, dedupeKey: null },
    ]);
    await vi.waitFor(() => expect(heard.map((e) => e.type)).toEqual(["small", "large", "last"]));
    expect(heard[0]).toMatchObject({ callSid: "CA1", data: { n: 1, awkward } });
    expect(heard[1]!.data.note).toBe(note);
    expect(heard[2]).toMatchObject({ userId: "u1" });
    // An instance does not hear its own announcements back: its bus already had them.
    expect(ownHeard).toBe(0);
  });

  it("a signal reaches the other instances at once, outside any transaction, and not its sender", async () => {
    const url = await freshPgDatabase();
    const onError = () => {};
    const here = await openPgStorage(url, { onError });
    const there = await openPgStorage(url, { onError });
    closeAfterTests(here, there);
    const heard: Array<Record<string, unknown>> = [];
    const heardHere: Array<Record<string, unknown>> = [];
    await there.listenSignals((s) => heard.push(s));
    await here.listenSignals((s) => heardHere.push(s));
    // Sent in the middle of a transaction, it is heard before that transaction ends.
    const { ctx } = contextOn(here);
    await inTransaction(ctx, async (_tx, record) => {
      await record({ type: "pending" });
      await here.signal({ type: "pop.shown", eventId: 7 });
      await vi.waitFor(() => expect(heard).toEqual([{ type: "pop.shown", eventId: 7 }]));
    });
    // Also before the sender listens itself (on the pool), and in order.
    const fresh = await openPgStorage(url, { onError });
    closeAfterTests(fresh);
    await fresh.signal({ n: 1 });
    await fresh.signal({ n: 2 });
    await vi.waitFor(() => expect(heard.slice(1)).toEqual([{ n: 1 }, { n: 2 }]));
    // The sender does not hear its own: `here` heard only the newcomer's.
    await vi.waitFor(() => expect(heardHere).toEqual([{ n: 1 }, { n: 2 }]));
    // Many at once on the listening connection: sent one after the other (pg warns of a query sent while
    // another runs, which pg@9 will refuse), heard in the order given.
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on("warning", onWarning);
    try {
      await Promise.all(Array.from({ length: 20 }, (_, k) => here.signal({ k })));
      await vi.waitFor(() => expect(heard.slice(3)).toEqual(Array.from({ length: 20 }, (_, k) => ({ k }))));
    } finally {
      process.off("warning", onWarning);
    }
    expect(warnings.filter((m) => m.includes("already executing a query"))).toEqual([]);
  });
});

describe.runIf(testEngine === "sqlite")("signals (SQLite)", () => {
  it("are nothing to send where one process is the whole hotline", async () => {
    const storage = await open();
    let heard = 0;
    const stop = await storage.listenSignals(() => heard++);
    await storage.signal({ type: "pop.shown", eventId: 1 });
    stop();
    expect(heard).toBe(0);
  });
});

describe.runIf(testEngine === "sqlite")("group commit of webhooks (SQLite)", () => {
  it("webhooks of one turn share one commit; their events are published after it, and answers wait for it", async () => {
    const storage = await open();
    const client = (storage as SqliteStorage)["client"];
    const { webhook, published, addCall, sids } = contextOn(storage);
    await addCall(webhook, "CA1");
    await addCall(webhook, "CA2");
    // Written, not yet committed, not yet told to anyone.
    expect(client.inTransaction).toBe(true);
    expect(published).toEqual([]);
    let answered = false;
    const durable = storage.durable()!.then(() => (answered = true));
    expect(answered).toBe(false);
    await nextTurn();
    await durable;
    expect(client.inTransaction).toBe(false);
    expect(published).toEqual(["arrived CA1", "arrived CA2"]);
    expect(await sids()).toEqual(["CA1", "CA2"]);
    expect(storage.durable()).toBeUndefined();
  });

  it("a webhook that fails undoes only its own writes", async () => {
    const { webhook, published, addCall, sids } = contextOn(await open());
    await addCall(webhook, "CA1");
    await expect(addCall(webhook, "CA2", true)).rejects.toThrow("handler failed");
    await addCall(webhook, "CA3");
    await nextTurn();
    await nextTurn();
    expect(await sids()).toEqual(["CA1", "CA3"]);
    expect(published).toEqual(["arrived CA1", "arrived CA3"]);
  });

  it("any other writer commits the group first, so its own work and events come after", async () => {
    const storage = await open();
    const { ctx, webhook, published, addCall, sids } = contextOn(storage);
    await addCall(webhook, "CA1");
    await addCall(ctx, "CA2");
    expect((storage as SqliteStorage)["client"].inTransaction).toBe(false);
    expect(published).toEqual(["arrived CA1", "arrived CA2"]);
    expect(await sids()).toEqual(["CA1", "CA2"]);
  });

  it("a single statement joins the group without a savepoint: one that fails undoes only itself", async () => {
    const storage = await open();
    const client = (storage as SqliteStorage)["client"];
    const { webhook, addCall, sids } = contextOn(storage);
    const insert = (sid: string) => (db: typeof storage.db) => db.insert(tables(db).calls).values({ sid, direction: "inbound", state: "ivr", createdAt: 1 });
    await addCall(webhook, "CA1");
    await storage.single(insert("CA2"), { group: true });
    await expect(storage.single(insert("CA1"), { group: true })).rejects.toThrow();
    // The group is still open, with both calls in it.
    expect(client.inTransaction).toBe(true);
    await nextTurn();
    await nextTurn();
    expect(client.inTransaction).toBe(false);
    expect(await sids()).toEqual(["CA1", "CA2"]);
  });

  it("a full group commits before the next webhook joins", async () => {
    const { published, webhook, addCall } = contextOn(await open());
    for (let i = 0; i < 33; i++) await addCall(webhook, `CA${i}`);
    expect(published).toHaveLength(32);
  });
});
