import { describe, expect, it } from "vitest";
import { loadFlows, type LoadedFlows } from "../../src/ivr/flow-loader.js";
import { checkFlows, formatCoverage } from "../../src/ivr/flow-check.js";
import { PromptCatalog } from "../../src/ivr/prompt-catalog.js";

const shipped = () => loadFlows("./voice-flows");
/** A deep copy to break on purpose. */
const copy = (f: LoadedFlows): LoadedFlows => structuredClone(f);

describe("flows:check", () => {
  it("passes the shipped flows and prints a language × prompt coverage table", () => {
    const report = checkFlows(shipped());
    expect(report.errors).toEqual([]);
    const table = formatCoverage(report);
    expect(table.split("\n")[0]).toMatch(/^prompt\s+th\s+my\s+km\s+lo\s+vi\s+zh\s+mfa\s+en/);
    expect(table).toMatch(/language-option\s+tts\s+machine\s+→th\s+→th\s+tts\s+tts\s+tts\s+tts/);
    expect(report.unreviewed.my).toBeGreaterThan(0);
  });

  it("fails when a text message is missing in a language or would not fit one UCS-2 segment of 70 characters", () => {
    const broken = copy(shipped());
    delete broken.prompts.lo!.texts["missed-call"];
    broken.prompts.my!.texts["missed-call"]!.text = "က".repeat(71);
    const { errors } = checkFlows(broken);
    expect(errors).toContain('lo: text message "missed-call" has no text');
    expect(errors).toContain('my: text message "missed-call" (text) is 71 characters; one UCS-2 segment holds 70');
    expect(checkFlows(shipped()).errors).toEqual([]);
  });

  it("fails when a prompt is missing in a language, a key is used twice, or a target does not exist", () => {
    const broken = copy(shipped());
    delete broken.prompts.vi!.prompts["menu-other"];
    const menu = broken.flow.nodes["main-menu"];
    if (menu?.type !== "menu") throw new Error("main-menu is a menu");
    menu.options[1]!.key = "9";
    menu.options[2]!.goto = "nowhere";
    const { errors } = checkFlows(broken);
    expect(errors).toContain('vi: prompt "menu-other" has no text');
    expect(errors).toContain('menu "main-menu": key 9 used twice');
    expect(errors).toContain('menu "main-menu": goes to "nowhere", which does not exist');
  });

  it("fails when a language's prompt can be neither played nor spoken, instead of going silent", () => {
    const broken = copy(shipped());
    broken.flow.fallback = {};
    const { errors } = checkFlows(broken);
    expect(errors).toContain('km: prompt "welcome" can be neither played nor spoken');
  });

  it("a prompt heard only before a language is chosen is required in Thai and English, and only there", () => {
    expect(shipped().prompts.vi!.prompts["outage-goodbye"]).toBeUndefined();
    const broken = copy(shipped());
    delete broken.prompts.en!.prompts["outage-goodbye"];
    const { errors } = checkFlows(broken);
    expect(errors).toEqual(['en: prompt "outage-goodbye" can be neither played nor spoken']);
  });

  it("a prompt naming the language needs its own text when spoken through a fallback", () => {
    const broken = copy(shipped());
    delete broken.prompts.km!.prompts["language-option"]!.fallbackText;
    expect(checkFlows(broken).errors).toContain('km: prompt "language-option" names the language, so spoken in th it needs a fallbackText');
    const catalog = new PromptCatalog(shipped());
    const { utterance, degraded } = catalog.resolve({ prompt: "language-option", language: "km", vars: { key: "3" } }, "th");
    expect(utterance).toMatchObject({ kind: "say", text: "ภาษาเขมร กด 3", voice: { language: "th-TH" } });
    expect(degraded).toContain("spoken in th");
  });

  it("Yawi is written in Jawi and spoken from its Rumi reading by the Malay voice", () => {
    const catalog = new PromptCatalog(shipped());
    const { utterance } = catalog.resolve({ prompt: "menu-other", vars: { key: "5" } }, "mfa");
    expect(utterance).toMatchObject({ kind: "say", voice: { language: "ms-MY" } });
    expect((utterance as { text: string }).text).toMatch(/^[A-Za-z]/);
    expect(shipped().prompts.mfa!.prompts["menu-other"]!.text).toMatch(/[\u0600-\u06FF]/);
  });
});
