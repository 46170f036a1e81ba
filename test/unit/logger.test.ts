import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { turnBatched } from "../../src/logger.js";
import { projectPath } from "../../src/project-files.js";

describe("the log's standard output", () => {
  it("writes the lines of one turn of the event loop in one write, in order, when the turn ends", async () => {
    const writes: string[] = [];
    const out = turnBatched({ write: (text: string) => writes.push(text) });
    out.write("one\n");
    out.write("two\n");
    expect(writes).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toEqual(["one\ntwo\n"]);
    out.write("three\n");
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toEqual(["one\ntwo\n", "three\n"]);
    // pino's logger.flush(done): what is pending goes out at once, and done is called.
    out.write("four\n");
    let done = false;
    out.flush(() => (done = true));
    expect(writes).toEqual(["one\ntwo\n", "three\n", "four\n"]);
    expect(done).toBe(true);
  });

  // A process that exits, or dies of an uncaught error, in the turn it logged still writes the lines.
  it.each([
    ["exits at once", "process.exit(3)"],
    ["throws", "throw new Error('boom')"],
  ])("loses no line when the process %s", (_, end) => {
    const script = `import { createLogger } from "./src/logger.ts"; const log = createLogger("info"); log.info("first"); log.warn({ from: "+66812345678" }, "second"); ${end};`;
    const run = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: projectPath(), encoding: "utf8" });
    expect(run.status).not.toBe(0);
    const lines = run.stdout.trim().split("\n").map((l) => JSON.parse(l) as { msg: string; from?: string });
    expect(lines.map((l) => l.msg)).toEqual(["first", "second"]);
    expect(lines[1]!.from).toBe("[redacted]");
  });
});
