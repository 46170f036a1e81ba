import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type Database from "better-sqlite3";

/**
 * WAL checkpoints on a thread of their own. SQLite's automatic checkpoint runs inside whichever commit
 * crosses the threshold, so every few hundred webhooks one of them copied the WAL into the database file
 * while Twilio and every other caller waited. Here a worker with its own connection checkpoints
 * (PASSIVE: it never blocks a writer) every `intervalMs`, and the server's connection never does.
 * Durability does not change: a commit is safe once it is in the WAL, checkpointed or not.
 */
export interface Checkpointer {
  /** Checkpoints now, on the worker's thread: the WAL frames it holds and how many are in the file. */
  checkpointNow(): Promise<CheckpointResult>;
  close(): Promise<void>;
}

export interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

/** The worker's code, plain CommonJS evaluated in the thread: no TypeScript loader is needed there. */
const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma("busy_timeout = 1000");
const checkpoint = () => {
  try {
    return db.pragma("wal_checkpoint(PASSIVE)")[0];
  } catch (err) {
    parentPort.postMessage({ error: String((err && err.message) || err) });
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on("message", (m) => {
  if (m === "checkpoint") parentPort.postMessage({ result: checkpoint() });
  if (m !== "close") return;
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export function startCheckpointer(sqlite: Database.Database, opts: { intervalMs: number; onError: (message: string) => void }): Checkpointer {
  if (sqlite.memory) return { checkpointNow: async () => ({ busy: 0, log: 0, checkpointed: 0 }), close: async () => {} };
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: { driver: createRequire(import.meta.url).resolve("better-sqlite3"), file: sqlite.name, intervalMs: opts.intervalMs },
  });
  worker.unref();
  // The WAL file is not cut back while the server runs (no journal_size_limit, SQLite's default): SQLite
  // cuts it back in the first commit after the log restarts, on the committing thread, the event loop.
  // After a burst of webhooks that held the loop for 67–97 ms in 4 of 6 runs of the bench's steady phase
  // with a 64 MB limit, and in none without. The file is reused from its start after each full
  // checkpoint, so it grows only to the largest burst's size, and SQLite removes it when the database closes.
  sqlite.pragma("wal_autocheckpoint = 0");
  let closing = false;
  const exited = new Promise((resolve) => worker.once("exit", resolve));
  const fallBack = (message: string) => {
    // Without the worker the WAL would grow without end: SQLite's own checkpoints take over again.
    if (sqlite.open) sqlite.pragma("wal_autocheckpoint = 1000");
    opts.onError(message);
  };
  const asked: Array<(r: CheckpointResult) => void> = [];
  worker.on("message", (m: { error?: string; result?: CheckpointResult }) => {
    if (m.error) opts.onError(`checkpoint failed: ${m.error}`);
    if ("result" in m) asked.shift()?.(m.result ?? { busy: 1, log: -1, checkpointed: -1 });
  });
  worker.on("error", (err) => fallBack(`checkpoint thread failed: ${err.message}`));
  worker.on("exit", (code) => {
    if (!closing) fallBack(`checkpoint thread exited (code ${code})`);
  });
  return {
    checkpointNow() {
      return new Promise((resolve) => {
        asked.push(resolve);
        worker.postMessage("checkpoint");
      });
    },
    async close() {
      if (closing) return;
      closing = true;
      worker.postMessage("close");
      await exited;
      if (sqlite.open) sqlite.pragma("wal_autocheckpoint = 1000");
    },
  };
}
