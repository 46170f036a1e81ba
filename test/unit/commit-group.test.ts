import { setImmediate as nextTurn } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../db/connection.js";
import { calls } from "../../db/schema.js";
import { ManualClock } from "../../src/clock.js";
import { CommitGroup } from "../../src/events/commit-group.js";
import { EventBus, inTransaction, type Ctx, type DomainEvent } from "../../src/events/event-log.js";
import { createLogger } from "../../src/logger.js";

function setup() {
  const db = openDatabase(":memory:");
  const ctx: Ctx = {
    db,
    clock: new ManualClock(1_000),
    bus: new EventBus(),
    callbackPolicy: { slaMinutes: { emergency: 15, normal: 120 }, retryMinutes: [120], claimMinutes: 10 },
    referralDueHours: 72,
    group: new CommitGroup(db.$client, createLogger("silent")),
  };
  const webhook: Ctx = { ...ctx, joinsGroup: true };
  const published: string[] = [];
  ctx.bus.subscribe((e: DomainEvent) => published.push(e.type));
  const addCall = (c: Ctx, sid: string, fail = false) =>
    inTransaction(c, (tx, record) => {
      tx.insert(calls).values({ sid, direction: "inbound", state: "ivr", createdAt: 1 }).run();
      record({ type: `arrived ${sid}`, callSid: sid });
      if (fail) throw new Error("handler failed");
    });
  const sids = () => db.select({ sid: calls.sid }).from(calls).all().map((r) => r.sid).sort();
  return { db, ctx, webhook, published, addCall, sids };
}

describe("group commit of webhooks", () => {
  it("webhooks of one turn share one commit; their events are published after it, and answers wait for it", async () => {
    const { db, webhook, published, addCall, sids } = setup();
    addCall(webhook, "CA1");
    addCall(webhook, "CA2");
    // Written, not yet committed, not yet told to anyone.
    expect(db.$client.inTransaction).toBe(true);
    expect(published).toEqual([]);
    let answered = false;
    const durable = webhook.group!.durable()!.then(() => (answered = true));
    expect(answered).toBe(false);
    await nextTurn();
    await durable;
    expect(db.$client.inTransaction).toBe(false);
    expect(published).toEqual(["arrived CA1", "arrived CA2"]);
    expect(sids()).toEqual(["CA1", "CA2"]);
    expect(webhook.group!.durable()).toBeUndefined();
  });

  it("a webhook that fails undoes only its own writes", async () => {
    const { webhook, published, addCall, sids } = setup();
    addCall(webhook, "CA1");
    expect(() => addCall(webhook, "CA2", true)).toThrow("handler failed");
    addCall(webhook, "CA3");
    await nextTurn();
    expect(sids()).toEqual(["CA1", "CA3"]);
    expect(published).toEqual(["arrived CA1", "arrived CA3"]);
  });

  it("any other writer commits the group first, so its own work and events come after", () => {
    const { db, ctx, webhook, published, addCall, sids } = setup();
    addCall(webhook, "CA1");
    addCall(ctx, "CA2");
    expect(db.$client.inTransaction).toBe(false);
    expect(published).toEqual(["arrived CA1", "arrived CA2"]);
    expect(sids()).toEqual(["CA1", "CA2"]);
  });

  it("a full group commits before the next webhook joins", () => {
    const { published, webhook, addCall } = setup();
    for (let i = 0; i < 33; i++) addCall(webhook, `CA${i}`);
    expect(published).toHaveLength(32);
  });
});
