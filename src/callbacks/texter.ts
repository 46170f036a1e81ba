import { detached } from "../detached.js";
import type { Ctx } from "../events/event-log.js";
import type { Language } from "../languages.js";
import type { Logger } from "../logger.js";
import type { PromptCatalog } from "../ivr/prompt-catalog.js";
import type { TaskRunner } from "../tasks/task-runner.js";
import type { CarrierApi } from "../telephony/carrier-api.js";
import type { TwimlWriter } from "../telephony/twiml.js";
import { claimMissedCallText, textSent } from "./missed-call-text.js";

export interface TexterOptions {
  from: string;
  allowedTopics: readonly string[];
  defaultLanguage: Language;
}

/**
 * Sends the missed caller's one text once their callback item is created: decided and recorded in a
 * transaction, then sent after the commit and off any webhook's path, retried by the task runner.
 */
export function startTexter(ctx: Ctx, carrier: CarrierApi, twiml: TwimlWriter, catalog: PromptCatalog, tasks: TaskRunner, opts: TexterOptions, log: Logger): () => void {
  return ctx.bus.subscribe((e) => {
    // A withheld number's item is created not callable: recorded too, so the backlog says why no text went.
    if ((e.type !== "callback.created" && e.type !== "callback.not_callable") || !e.callbackId || opts.allowedTopics.length === 0) return;
    const itemId = e.callbackId;
    // After this event's other listeners: the item is committed and the backlog pushed first.
    queueMicrotask(() =>
      detached(log, "decide the missed caller's text", async () => {
        const item = await claimMissedCallText(ctx, itemId, opts.allowedTopics);
        if (!item?.number) return;
        const text = catalog.text("missed-call", (item.language ?? opts.defaultLanguage) as Language);
        if (!text) return log.error({ callbackId: itemId }, "no missed-call text in any language: nothing sent");
        const to = item.number;
        tasks.run(
          "text the missed caller",
          async () => {
            const sid = await carrier.sendText({ to, from: opts.from, body: text.body, statusCallback: twiml.url("/twilio/text-status", { callback: itemId }) });
            await textSent(ctx, itemId, { sid });
          },
          async (err) => {
            await textSent(ctx, itemId, { failed: (err as Error).message });
          },
        );
      }),
    );
  });
}
