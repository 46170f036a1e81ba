import type { Db } from "../../db/storage.js";
import { detached } from "../detached.js";
import type { EventBus } from "../events/event-log.js";
import type { Logger } from "../logger.js";
import { approvedRecordings } from "./recording-store.js";

/** Where the prompt catalog looks up approved human recordings: language → prompt → recording id. */
export interface ApprovedLookup {
  /** Moves on every reload, so caches of resolved prompts know to start again. */
  readonly version: number;
  get(language: string, prompt: string): number | undefined;
}

/**
 * The approved recordings in memory, so resolving a prompt costs no query per webhook: lookups stay
 * synchronous, only loading reads the database. Loaded at start (`ApprovedIndex.load`) and reloaded when
 * this instance approves one. Several instances on one database each hold their own copy: an approval on
 * another instance reaches this one when it reloads from the database (at its next start today; a
 * NOTIFY-driven reload belongs with the PostgreSQL engine).
 */
export class ApprovedIndex implements ApprovedLookup {
  private byLanguage = new Map<string, Map<string, number>>();
  version = 0;
  /** Reloads started, and the latest whose rows are in use: a slower, older read never replaces a newer one. */
  private started = 0;
  private applied = 0;

  private constructor(private readonly db: Db) {}

  /** An index holding what the database has approved now. */
  static async load(db: Db): Promise<ApprovedIndex> {
    const index = new ApprovedIndex(db);
    await index.reload();
    return index;
  }

  async reload(): Promise<void> {
    const ticket = ++this.started;
    const rows = await approvedRecordings(this.db);
    if (ticket < this.applied) return;
    this.applied = ticket;
    const next = new Map<string, Map<string, number>>();
    for (const r of rows) {
      const prompts = next.get(r.language) ?? new Map<string, number>();
      prompts.set(r.prompt, r.id);
      next.set(r.language, prompts);
    }
    this.byLanguage = next;
    this.version += 1;
  }

  get(language: string, prompt: string): number | undefined {
    return this.byLanguage.get(language)?.get(prompt);
  }

  /** Reloads after every committed approval (a failed reload is logged; the index keeps what it had); returns the unsubscribe. */
  follow(bus: EventBus, log: Logger): () => void {
    // Approved on any instance: every instance's IVR plays it.
    return bus.subscribeAll((event) => {
      if (event.type === "recording.approved") detached(log, "reload the approved recordings", () => this.reload());
    });
  }
}
