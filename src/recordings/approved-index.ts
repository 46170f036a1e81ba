import type { Db } from "../../db/connection.js";
import type { EventBus } from "../events/event-log.js";
import { approvedRecordings } from "./recording-store.js";

/** Where the prompt catalog looks up approved human recordings: language → prompt → recording id. */
export interface ApprovedLookup {
  /** Moves on every reload, so caches of resolved prompts know to start again. */
  readonly version: number;
  get(language: string, prompt: string): number | undefined;
}

/**
 * The approved recordings in memory, so resolving a prompt costs no query per webhook. Loaded at start
 * and reloaded when this instance approves one. Several instances on one database each hold their own
 * copy: an approval on another instance reaches this one when it reloads from the database (at its next
 * start today; a NOTIFY-driven reload belongs with the PostgreSQL engine).
 */
export class ApprovedIndex implements ApprovedLookup {
  private byLanguage = new Map<string, Map<string, number>>();
  version = 0;

  constructor(private readonly db: Db) {
    this.reload();
  }

  reload(): void {
    const next = new Map<string, Map<string, number>>();
    for (const r of approvedRecordings(this.db)) {
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

  /** Reloads after every committed approval; returns the unsubscribe. */
  follow(bus: EventBus): () => void {
    return bus.subscribe((event) => {
      if (event.type === "recording.approved") this.reload();
    });
  }
}
