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

/**
 * What the caller hears next. `id` names the step within its flow (node, attempt, and whether it opens
 * with the wrong-key prompt): two steps of one flow with the same id play the same prompts, so a rendered
 * step can be kept under it. `prompts` is shared between steps of one id: read it, never change it.
 */
export type Step =
  | { kind: "menu"; id: string; node: string; attempt: number; prompts: readonly PromptPlay[]; timeout: number }
  | { kind: "queue"; id: string; node: string; prompts: readonly PromptPlay[] };

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
export function enterNode(flow: Flow, id: string, attempt: number, before?: PromptRef): Step {
  const n = node(flow, id);
  const prompts = promptsOf(n, before);
  if (n.type === "queue") return { kind: "queue", id: before ? `${id} after-invalid` : id, node: id, prompts };
  return { kind: "menu", id: `${id} ${attempt}${before ? " after-invalid" : ""}`, node: id, attempt, timeout: n.timeout, prompts };
}

/** A node's prompts, with or without the wrong-key prompt first: built once per node, not per webhook. */
const nodePrompts = new WeakMap<FlowNode, { plain: readonly PromptPlay[]; afterInvalid?: readonly PromptPlay[] }>();

function promptsOf(n: FlowNode, before: PromptRef | undefined): readonly PromptPlay[] {
  let entry = nodePrompts.get(n);
  if (!entry) {
    const plain = n.type === "queue" ? [...n.intro] : [...n.intro, ...n.options.map((o) => ({ ...o.say, vars: { key: o.key } }))];
    nodePrompts.set(n, (entry = { plain }));
  }
  if (!before) return entry.plain;
  // Only a menu's own `invalid` prompt is ever put first.
  return (entry.afterInvalid ??= [before, ...entry.plain]);
}

/** A menu's answer before it meets a call: the next step, and only the facts the choice sets. */
export interface Answer {
  step: Step;
  input: string;
  set: Partial<CallFacts>;
}

const NOTHING_SET: Partial<CallFacts> = {};

function apply(flow: Flow, effect: Effect, input: string): Answer {
  return { set: effect.set ?? NOTHING_SET, step: enterNode(flow, effect.goto, 0), input };
}

/**
 * The caller answered a menu: `digits` is what they pressed, empty when the Gather timed out.
 * A wrong key or silence repeats the menu up to `retries` times, then the menu's onFailure applies.
 * Where the caller goes depends on the menu and the key alone, never on the call's facts: the webhook
 * can store the step without reading the call first.
 */
export function answerMenu(flow: Flow, id: string, attempt: number, digits: string): Answer {
  const n = node(flow, id);
  if (n.type !== "menu") throw new FlowError(`node "${id}" is not a menu`);
  const key = digits.slice(0, 1);
  const option = key ? n.options.find((o) => o.key === key) : undefined;
  if (option) return apply(flow, option, key);
  const input = key ? `invalid:${key}` : "timeout";
  if (attempt < n.retries) {
    return { set: NOTHING_SET, step: enterNode(flow, id, attempt + 1, key && n.invalid ? n.invalid : undefined), input };
  }
  return apply(flow, n.onFailure, input);
}

/** A menu's answer for a call with these facts: what it sets, over what the call had. */
export function chooseInMenu(flow: Flow, id: string, attempt: number, digits: string, facts: CallFacts): Decision {
  const { step, input, set } = answerMenu(flow, id, attempt, digits);
  return { facts: { ...facts, ...set }, step, input };
}

export function menuNode(flow: Flow, id: string): MenuNode | undefined {
  const n = flow.nodes[id];
  return n?.type === "menu" ? n : undefined;
}
