import { describe, expect, it } from "vitest";
import { PopReceipts, popShownSignal } from "../../src/realtime/pop-receipts.js";

// The offering instance's wait for another instance's word that the screen-pop was shown.

describe("pop receipts", () => {
  it("a receipt heard before the wait starts ends it at once; one heard during it ends it then", async () => {
    const receipts = new PopReceipts();
    receipts.hear(popShownSignal(1));
    expect(await receipts.wait(1, 10_000)).toBe(true);
    const waiting = receipts.wait(2, 10_000);
    receipts.hear(popShownSignal(2));
    expect(await waiting).toBe(true);
  });

  it("without one (no page anywhere), the wait runs out; other offers' receipts and other signals do not end it", async () => {
    const receipts = new PopReceipts();
    const started = performance.now();
    const waiting = receipts.wait(3, 50);
    receipts.hear(popShownSignal(4));
    receipts.hear({ type: "something.else", eventId: 3 });
    receipts.hear({ type: "pop.shown", eventId: "3" });
    expect(await waiting).toBe(false);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
  });
});
