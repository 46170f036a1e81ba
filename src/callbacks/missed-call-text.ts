import { and, eq, gt } from "drizzle-orm";
import { first, tables } from "../../db/storage.js";
import { isMobile } from "../calls/phone-number.js";
import { inTransaction, type Ctx } from "../events/event-log.js";
import { itemById, updateItem, type CallbackRow } from "./callback-store.js";

/*
 * One text message to a missed caller: "1300: we missed your call and will call you back", in their
 * language. A victim's phone may be watched, so it is sent only where it cannot endanger them.
 */

/** Why no text was sent; stored on the item so supervisors can see it was decided, not forgotten. */
export type NoTextReason = "withheld" | "not_mobile" | "topic" | "sent_today";

/** Whether this item's caller gets the text. Pure: the rules in one place. */
export function textDecision(item: Pick<CallbackRow, "number" | "topic">, opts: { mobile: boolean; allowedTopics: readonly string[]; textedToday: boolean }): { send: true } | { send: false; reason: NoTextReason } {
  if (!item.number) return { send: false, reason: "withheld" };
  if (!opts.mobile) return { send: false, reason: "not_mobile" };
  if (!opts.allowedTopics.includes(item.topic ?? "unknown")) return { send: false, reason: "topic" };
  if (opts.textedToday) return { send: false, reason: "sent_today" };
  return { send: true };
}

const DAY_MS = 86_400_000;

/** Carrier statuses in the order a message goes through them: a late callback never moves one back. */
const PROGRESS: Record<string, number> = { queued: 0, accepted: 0, sending: 1, sent: 2, delivered: 3, undelivered: 3, failed: 3, read: 4 };

/**
 * Decides the item's one text and records the decision with its event, once per item. Returns who to
 * text when one is to be sent; the carrier request follows after the commit.
 */
export function claimMissedCallText(ctx: Ctx, itemId: number, allowedTopics: readonly string[]): Promise<CallbackRow | undefined> {
  return inTransaction(ctx, async (tx, record) => {
    const { callbacks } = tables(tx);
    const item = await itemById(tx, itemId);
    if (!item || item.textStatus !== null) return undefined;
    const now = ctx.clock.now();
    const textedToday = item.number
      ? Boolean(first(await tx.select({ id: callbacks.id }).from(callbacks).where(and(eq(callbacks.number, item.number), gt(callbacks.textedAt, now - DAY_MS))).limit(1)))
      : false;
    const decision = textDecision(item, { mobile: isMobile(item.number), allowedTopics, textedToday });
    if (!decision.send) {
      await updateItem(tx, item.id, { textStatus: `none:${decision.reason}` });
      await record({ type: "callback.text_skipped", callbackId: item.id, data: { reason: decision.reason } });
      return undefined;
    }
    await updateItem(tx, item.id, { textStatus: "queued", textedAt: now });
    await record({ type: "callback.text_queued", callbackId: item.id, data: { language: item.language } });
    return { ...item, textStatus: "queued", textedAt: now };
  });
}

/** The carrier took the message (its SID), or gave up on it. */
export function textSent(ctx: Ctx, itemId: number, result: { sid: string } | { failed: string }): Promise<void> {
  return inTransaction(ctx, async (tx, record) => {
    const item = await itemById(tx, itemId);
    if (!item || item.textStatus !== "queued") return;
    if ("sid" in result) await updateItem(tx, item.id, { textSid: result.sid });
    else {
      await updateItem(tx, item.id, { textStatus: "failed" });
      await record({ type: "callback.text_status", callbackId: item.id, data: { status: "failed", error: result.failed } });
    }
  });
}

/** A delivery status from the carrier: recorded once, only forward (a late "sent" after "delivered" is ignored). */
export function textStatusReported(ctx: Ctx, itemId: number, sid: string, status: string): Promise<void> {
  return inTransaction(ctx, async (tx, record) => {
    const item = await itemById(tx, itemId);
    if (!item || (item.textSid !== null && item.textSid !== sid) || !(status in PROGRESS)) return;
    const current = item.textStatus ?? "";
    if (current.startsWith("none:") || (PROGRESS[current] ?? -1) >= (PROGRESS[status] ?? 0)) return;
    await updateItem(tx, item.id, { textStatus: status, textSid: sid });
    await record({ type: "callback.text_status", callbackId: item.id, data: { status } });
  });
}
