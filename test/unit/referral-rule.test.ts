import { describe, expect, it } from "vitest";
import { suggestAgency, type RuleAgency } from "../../src/cases/referral-rule.js";

const BANGKOK = "10";
const CHIANG_MAI = "50";
const SONGKHLA = "90";

const directory: RuleAgency[] = [
  { id: 1, name: "Rapid-response team", type: "rapid_response", province: null, categories: [] },
  { id: 2, name: "Bangkok shelter", type: "child_family_shelter", province: BANGKOK, categories: [] },
  { id: 3, name: "Chiang Mai shelter", type: "child_family_shelter", province: CHIANG_MAI, categories: ["violence_child", "violence_women", "pregnancy"] },
  { id: 4, name: "Chiang Mai office", type: "provincial_office", province: CHIANG_MAI, categories: [] },
  { id: 5, name: "Chiang Mai police", type: "police", province: CHIANG_MAI, categories: [] },
  { id: 6, name: "Songkhla office", type: "provincial_office", province: SONGKHLA, categories: [] },
];

describe("the suggested referral", () => {
  it("a crisis in Bangkok goes to the rapid-response team, even a national one", () => {
    const s = suggestAgency({ category: "violence_child", urgency: "crisis", province: BANGKOK }, directory);
    expect(s).toMatchObject({ agency: { id: 1 }, rule: "crisis_bangkok_rapid_response" });
    expect(s.reason).toMatch(/rapid-response/);
  });

  it("a Bangkok rapid-response team is preferred to a national one", () => {
    const withLocal = [...directory, { id: 9, name: "Bangkok team", type: "rapid_response" as const, province: BANGKOK, categories: [] }];
    expect(suggestAgency({ category: "other", urgency: "crisis", province: BANGKOK }, withLocal).agency?.id).toBe(9);
  });

  it("a crisis in a province goes to that province's shelter, whatever categories the shelter lists", () => {
    const s = suggestAgency({ category: "trafficking", urgency: "crisis", province: CHIANG_MAI }, directory);
    expect(s).toMatchObject({ agency: { id: 3 }, rule: "crisis_provincial_shelter" });
  });

  it("a matter that is not a crisis goes to the province's shelter when it takes the category", () => {
    const s = suggestAgency({ category: "pregnancy", urgency: "urgent", province: CHIANG_MAI }, directory);
    expect(s).toMatchObject({ agency: { id: 3 }, rule: "shelter_takes_category" });
  });

  it("a shelter listing no categories takes every matter, in Bangkok too when it is not a crisis", () => {
    const s = suggestAgency({ category: "child_labour", urgency: "normal", province: BANGKOK }, directory);
    expect(s).toMatchObject({ agency: { id: 2 }, rule: "shelter_takes_category" });
  });

  it("a matter the shelter does not take goes to the provincial office", () => {
    const s = suggestAgency({ category: "trafficking", urgency: "normal", province: CHIANG_MAI }, directory);
    expect(s).toMatchObject({ agency: { id: 4 }, rule: "provincial_office" });
    expect(s.reason).toMatch(/does not take trafficking/);
  });

  it("a province without a shelter sends ordinary matters to its office", () => {
    expect(suggestAgency({ category: "other", urgency: "normal", province: SONGKHLA }, directory)).toMatchObject({ agency: { id: 6 }, rule: "provincial_office" });
  });

  it("inactive agencies are never suggested", () => {
    const closed = directory.map((a) => (a.id === 3 ? { ...a, active: false } : a));
    expect(suggestAgency({ category: "pregnancy", urgency: "normal", province: CHIANG_MAI }, closed).agency?.id).toBe(4);
  });

  describe("nothing fits: no agency, with the reason", () => {
    it("a crisis in a province without a shelter", () => {
      const s = suggestAgency({ category: "violence_child", urgency: "crisis", province: SONGKHLA }, directory);
      expect(s).toEqual({ agency: null, rule: null, reason: expect.stringMatching(/Songkhla/) });
    });

    it("a crisis in Bangkok without a rapid-response team", () => {
      const s = suggestAgency({ category: "violence_child", urgency: "crisis", province: BANGKOK }, directory.filter((a) => a.type !== "rapid_response"));
      expect(s.agency).toBeNull();
      expect(s.reason).toMatch(/no active rapid-response team/);
    });

    it("a province with neither shelter nor office", () => {
      expect(suggestAgency({ category: "other", urgency: "normal", province: "83" }, directory)).toMatchObject({ agency: null, reason: expect.stringMatching(/Phuket/) });
    });

    it("a case without a province", () => {
      expect(suggestAgency({ category: "other", urgency: "crisis", province: null }, directory)).toMatchObject({ agency: null, reason: expect.stringMatching(/no province/) });
    });
  });

  it("the choice among equal candidates does not depend on the order of the list", () => {
    const twins: RuleAgency[] = [
      { id: 21, name: "Office B", type: "provincial_office", province: SONGKHLA, categories: [] },
      { id: 20, name: "Office A", type: "provincial_office", province: SONGKHLA, categories: [] },
    ];
    expect(suggestAgency({ category: "other", urgency: "normal", province: SONGKHLA }, twins).agency?.id).toBe(20);
    expect(suggestAgency({ category: "other", urgency: "normal", province: SONGKHLA }, [...twins].reverse()).agency?.id).toBe(20);
  });
});
