import { detached } from "../detached.js";
import type { Ctx } from "../events/event-log.js";
import type { Logger } from "../logger.js";
import { deleteAuditBefore } from "./audit-log.js";

const DAY_MS = 86_400_000;

/**
 * AUDIT_RETENTION_DAYS: audit events are kept that long and no longer (they say who read which caller's
 * records). Runs at start, then daily on the injected clock; returns a stop function.
 */
export function scheduleAuditRetention(ctx: Ctx, days: number, log: Logger): () => void {
  const { clock } = ctx;
  let cancel = () => {};
  let stopped = false;
  const sweep = async () => {
    try {
      const deleted = await deleteAuditBefore(ctx, clock.now() - days * DAY_MS);
      if (deleted) log.info({ deleted, retentionDays: days }, "deleted audit events past their retention");
    } catch (err) {
      // A busy database is tried again tomorrow; nothing is lost by waiting.
      log.warn({ err: (err as Error).message }, "could not delete expired audit events");
    }
    // Stopped while the deletion ran: no next day.
    if (!stopped) cancel = clock.setTimer(DAY_MS, run);
  };
  const run = () => {
    if (!stopped) detached(log, "audit retention", sweep);
  };
  run();
  return () => {
    stopped = true;
    cancel();
  };
}
