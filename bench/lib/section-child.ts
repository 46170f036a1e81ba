// Runs one bench section in its own process and hands its result to bench/run.ts over IPC.
import { tell } from "./child.js";

// Killed by bench/run.ts on a timeout: the servers this section started see their IPC channel close and exit.
process.on("disconnect", () => process.exit(1));
// Stopped by bench/run.ts on a timeout: exiting runs the "exit" handlers, which stop a PostgreSQL cluster the
// section started (test/support/postgres.ts); SIGTERM's default would leave it running, busy, for minutes.
process.on("SIGTERM", () => process.exit(1));

const name = process.argv[2];
const started = performance.now();
try {
  const mod = (await import(`../sections/${name}.ts`)) as { run(): Promise<import("./figures.js").SectionResult> };
  const result = await mod.run();
  const timed = { ...result, seconds: Math.round((performance.now() - started) / 100) / 10 };
  // Run by hand (no parent), it prints what it would have sent.
  if (process.send) tell({ type: "result", result: timed });
  else console.log(JSON.stringify(timed, null, 2));
  process.exit(0);
} catch (err) {
  tell({ type: "failed", error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exit(1);
}
