import type Database from "better-sqlite3";
import type { Logger } from "../logger.js";

/** Webhooks per commit at most: enough to share the commit's cost, few enough not to hold answers back. */
const GROUP_LIMIT = 32;

/**
 * Group commit for Twilio's webhooks. Under a burst, each webhook committing its own transaction was
 * the largest cost left on the webhook path; here the webhooks handled in one turn of the event loop share
 * one transaction, each in a savepoint of its own (one that fails undoes only its own writes), committed
 * once at the end of the turn.
 *
 * Nothing leaves the process before that commit: the group's events reach the bus after it, and every
 * HTTP answer waits for it (`durable`). A crash in between loses only work that nobody was told about,
 * as a crash before the webhook would have. Any other writer commits the group first, so work outside
 * the webhooks keeps committing on its own, before its own side effects.
 */
export class CommitGroup {
  private open = false;
  private depth = 0;
  private members = 0;
  private afterCommit: Array<() => void> = [];
  private waiting: Array<{ resolve: () => void; reject: (err: unknown) => void }> = [];
  private readonly begin: Database.Statement;
  private readonly commitStatement: Database.Statement;
  private readonly rollback: Database.Statement;

  constructor(
    sqlite: Database.Database,
    private readonly log: Logger,
  ) {
    this.begin = sqlite.prepare("BEGIN IMMEDIATE");
    this.commitStatement = sqlite.prepare("COMMIT");
    this.rollback = sqlite.prepare("ROLLBACK");
  }

  /** True while the group's transaction is open and not being worked in: another writer must commit it first. */
  get pending(): boolean {
    return this.open && this.depth === 0;
  }

  /** True inside `run`: a transaction started here is a savepoint of the group. */
  get running(): boolean {
    return this.depth > 0;
  }

  /** Runs `fn` inside the group's transaction, opening it (and scheduling its commit) if need be. */
  run<T>(fn: () => T): T {
    // A full group commits before the next joins: its answers go out without waiting for the whole turn.
    if (this.open && this.depth === 0 && this.members >= GROUP_LIMIT) this.commit();
    if (!this.open) {
      this.members = 0;
      this.begin.run();
      this.open = true;
      setImmediate(() => this.commit());
    }
    this.depth++;
    this.members++;
    try {
      return fn();
    } finally {
      this.depth--;
    }
  }

  /** Runs `then` once the group has committed (dropped if it rolls back). */
  onCommit(then: () => void): void {
    this.afterCommit.push(then);
  }

  /** Resolves once what was written so far is committed; undefined when nothing waits for a commit. */
  durable(): Promise<void> | undefined {
    if (!this.open) return undefined;
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  commit(): void {
    if (!this.open || this.depth > 0) return;
    this.open = false;
    const after = this.afterCommit;
    const waiting = this.waiting;
    this.afterCommit = [];
    this.waiting = [];
    try {
      this.commitStatement.run();
    } catch (err) {
      this.log.error({ err, webhooks: waiting.length }, "group commit failed: its webhooks are answered with an error");
      try {
        this.rollback.run();
      } catch {
        // Already rolled back by SQLite.
      }
      for (const w of waiting) w.reject(err);
      return;
    }
    for (const then of after) {
      try {
        then();
      } catch (err) {
        // Committed is committed: a listener's failure is logged, and the answers still go out.
        this.log.error({ err }, "a listener failed after a group commit");
      }
    }
    for (const w of waiting) w.resolve();
  }
}
