// StatementBatches (db/statement-batches.ts): the requests of one turn are written as one batch, the next
// batch gathers while one is written, a repeated key waits for the next batch, and a failed batch fails
// each of its requests without stopping the ones after it.
import { setImmediate as nextTurn } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { StatementBatches } from "../../db/statement-batches.js";

/** A writer that records each batch and answers when told (`finish`), or fails it. */
function writer() {
  const batches: string[][] = [];
  const open: Array<{ resolve: (r: string[]) => void; reject: (e: Error) => void }> = [];
  const write = (items: readonly string[]) =>
    new Promise<string[]>((resolve, reject) => {
      batches.push([...items]);
      open.push({ resolve: () => resolve(items.map((i) => `done ${i}`)), reject });
    });
  return { batches, write, finish: () => open.shift()!.resolve([]), fail: (e: Error) => open.shift()!.reject(e) };
}

describe("statement batches", () => {
  it("writes a turn's requests as one batch, gathers the next while it is written, and gives each request its own result", async () => {
    const w = writer();
    const batches = new StatementBatches(w.write, (item: string) => item);
    const first = [batches.add("a"), batches.add("b"), batches.add("c")];
    await nextTurn();
    expect(w.batches).toEqual([["a", "b", "c"]]);
    const second = [batches.add("d"), batches.add("e")];
    await nextTurn();
    // Nothing more is written while the first batch is out.
    expect(w.batches).toHaveLength(1);
    w.finish();
    expect(await Promise.all(first)).toEqual(["done a", "done b", "done c"]);
    await nextTurn();
    expect(w.batches).toEqual([["a", "b", "c"], ["d", "e"]]);
    w.finish();
    expect(await Promise.all(second)).toEqual(["done d", "done e"]);
  });

  it("puts a request whose key is in the forming batch into the next one, after the first has been written", async () => {
    const w = writer();
    const batches = new StatementBatches(w.write, (item: string) => item.split(":")[0]!);
    const all = [batches.add("CA1:1"), batches.add("CA2:1"), batches.add("CA1:2"), batches.add("CA1:3")];
    await nextTurn();
    expect(w.batches).toEqual([["CA1:1", "CA2:1"]]);
    w.finish();
    await nextTurn();
    await nextTurn();
    expect(w.batches).toEqual([["CA1:1", "CA2:1"], ["CA1:2"]]);
    w.finish();
    await nextTurn();
    await nextTurn();
    expect(w.batches).toEqual([["CA1:1", "CA2:1"], ["CA1:2"], ["CA1:3"]]);
    w.finish();
    expect(await Promise.all(all)).toEqual(["done CA1:1", "done CA2:1", "done CA1:2", "done CA1:3"]);
  });

  it("fails every request of a failed batch, and writes the next batch all the same", async () => {
    const w = writer();
    const batches = new StatementBatches(w.write, (item: string) => item);
    const failed = [batches.add("a"), batches.add("b")];
    await nextTurn();
    const later = batches.add("c");
    w.fail(new Error("deadlock detected"));
    await expect(failed[0]).rejects.toThrow("deadlock detected");
    await expect(failed[1]).rejects.toThrow("deadlock detected");
    await nextTurn();
    expect(w.batches).toEqual([["a", "b"], ["c"]]);
    w.finish();
    expect(await later).toBe("done c");
  });
});
