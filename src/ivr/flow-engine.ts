import type { Language } from "../languages.js";
import type { Effect, Flow, FlowNode, MenuNode, Priority, PromptRef, Topic } from "./flow-schema.js";

/**
 * The IVR as pure decisions: (flow, where the call is, what the caller pressed) → what happens next.
 * No I/O here; the webhook edge stores the result and renders it as TwiML.
 */

export interface CallFacts {
  /** Unset until the caller chooses (or is known to speak) a language; prompts then use the default. */
  language?: Language;
  topic?: Topic;
  priority: Priority;
}

/** A prompt with the figures to fill in. */
export interface PromptPlay extends PromptRef {
  vars?: Record<string, string | number>;
}

export type Step =
  | { kind: "menu"; node: string; attempt: number; prompts: PromptPlay[]; timeout: number }
  | { kind: "queue"; node: string; prompts: PromptPlay[] };

export interface Decision {
  facts: CallFacts;
  step: Step;
  /** The key pressed, or "timeout"/"invalid:<key>" for the record of the caller's path. */
  input: string;
}

export class FlowError extends Error {}

function node(flow: Flow, id: string): FlowNode {
  const found = flow.nodes[id];
  if (!found) throw new FlowError(`flow has no node "${id}"`);
  return found;
}

/** The first step of a new call: the returning caller's shortcut when their language is known. */
export function startStep(flow: Flow, knownLanguage: Language | undefined): Decision {
  const facts: CallFacts = { language: knownLanguage, priority: "normal" };
  const start = knownLanguage ? flow.returningStart : flow.start;
  return { facts, step: enterNode(flow, start, 0), input: "call" };
}

/** What the caller hears on entering a node (attempt > 0 means the menu is being repeated). */
export function enterNode(flow: Flow, id: string, attempt: number, before: PromptPlay[] = []): Step {
  const n = node(flow, id);
  if (n.type === "queue") return { kind: "queue", node: id, prompts: [...before, ...n.intro] };
  return {
    kind: "menu",
    node: id,
    attempt,
    timeout: n.timeout,
    prompts: [...before, ...n.intro, ...n.options.map((o) => ({ ...o.say, vars: { key: o.key } }))],
  };
}

function apply(flow: Flow, facts: CallFacts, effect: Effect, input: string): Decision {
  return { facts: { ...facts, ...effect.set }, step: enterNode(flow, effect.goto, 0), input };
}

/**
 * The caller answered a menu: `digits` is what they pressed, empty when the Gather timed out.
 * A wrong key or silence repeats the menu up to `retries` times, then the menu's onFailure applies.
 */
export function chooseInMenu(flow: Flow, id: string, attempt: number, digits: string, facts: CallFacts): Decision {
  const n = node(flow, id);
  if (n.type !== "menu") throw new FlowError(`node "${id}" is not a menu`);
  const key = digits.slice(0, 1);
  const option = key ? n.options.find((o) => o.key === key) : undefined;
  if (option) return apply(flow, facts, option, key);
  const input = key ? `invalid:${key}` : "timeout";
  if (attempt < n.retries) {
    const before = key && n.invalid ? [n.invalid] : [];
    return { facts, step: enterNode(flow, id, attempt + 1, before), input };
  }
  return apply(flow, facts, n.onFailure, input);
}

export function menuNode(flow: Flow, id: string): MenuNode | undefined {
  const n = flow.nodes[id];
  return n?.type === "menu" ? n : undefined;
}
