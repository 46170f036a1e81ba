import { setImmediate as nextTurn } from "node:timers/promises";

/** Most of a turn of the event loop one long job may take: webhooks waiting behind it wait no longer. */
const SLICE_MS = 20;

/**
 * Long work over many items, in slices of at most ~20 ms of CPU each, yielding to the event loop
 * between them: webhooks are answered in between (Twilio gives up after 15 s; a caller hears silence
 * long before). Sliced by time, not count: the same job is slower on a busy machine.
 */
export async function forEachSliced<T>(items: Iterable<T>, fn: (item: T) => void): Promise<void> {
  // A fresh turn first: what ran before (another sliced job, a parse) has used this one's time already.
  await nextTurn();
  let start = performance.now();
  for (const item of items) {
    if (performance.now() - start > SLICE_MS) {
      await nextTurn();
      start = performance.now();
    }
    fn(item);
  }
}
