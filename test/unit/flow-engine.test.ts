import { describe, expect, it } from "vitest";
import { loadFlows } from "../../src/ivr/flow-loader.js";
import { chooseInMenu, startStep } from "../../src/ivr/flow-engine.js";

const { flow } = loadFlows("./voice-flows");

describe("IVR decisions", () => {
  it("a new caller starts at the eight-language menu, a returning one at the shortcut", () => {
    expect(startStep(flow, undefined).step.node).toBe("language-menu");
    const returning = startStep(flow, "my");
    expect(returning.step.node).toBe("returning");
    expect(returning.facts.language).toBe("my");
  });

  it("the language menu offers the contract's keys in order, each in its own language", () => {
    const step = startStep(flow, undefined).step;
    const options = step.prompts.filter((p) => p.prompt === "language-option");
    expect(options.map((p) => [p.vars?.key, p.language])).toEqual([
      ["1", "th"], ["2", "my"], ["3", "km"], ["4", "lo"], ["5", "vi"], ["6", "zh"], ["7", "mfa"], ["8", "en"],
    ]);
  });

  it("a wrong key repeats the menu once with an apology, then the caller continues in Thai", () => {
    const first = chooseInMenu(flow, "language-menu", 0, "0", { priority: "normal" });
    expect(first.step).toMatchObject({ node: "language-menu", attempt: 1 });
    expect(first.step.prompts[0]?.prompt).toBe("invalid-choice");
    const second = chooseInMenu(flow, "language-menu", 1, "", { priority: "normal" });
    expect(second.step.node).toBe("main-menu");
    expect(second.facts.language).toBe("th");
    expect(second.input).toBe("timeout");
  });

  it("the danger option makes the call an emergency and queues it", () => {
    const d = chooseInMenu(flow, "main-menu", 0, "9", { language: "km", priority: "normal" });
    expect(d.facts).toMatchObject({ language: "km", priority: "emergency", topic: "emergency" });
    expect(d.step.kind).toBe("queue");
  });

  it("only the first key of several counts", () => {
    expect(chooseInMenu(flow, "main-menu", 0, "21", { language: "th", priority: "normal" }).facts.topic).toBe("trafficking");
  });
});
