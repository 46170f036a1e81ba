import { setImmediate as nextTurn } from "node:timers/promises";

/**
 * Long work over many items, a batch per turn of the event loop: webhooks waiting behind it are answered
 * between batches (Twilio gives up after 15 s; a caller hears silence long before).
 */
export async function forEachBatch<T>(items: readonly T[], size: number, fn: (batch: readonly T[]) => void): Promise<void> {
  for (let i = 0; i < items.length; i += size) {
    if (i > 0) await nextTurn();
    fn(items.slice(i, i + size));
  }
}
