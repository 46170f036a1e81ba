import type { AgencyType } from "./agency-types.js";
import { BANGKOK, provinceLabel } from "./provinces.js";

/** What the rule needs of an agency; the caller passes the active ones. */
export interface RuleAgency {
  id: number;
  name: string;
  type: AgencyType;
  province: string | null;
  /** Empty: takes every category. */
  categories: readonly string[];
  active?: boolean;
}

export interface RuleCase {
  category: string;
  urgency: "normal" | "urgent" | "crisis";
  province: string | null;
}

export type ReferralRuleCode =
  | "crisis_bangkok_rapid_response"
  | "crisis_provincial_shelter"
  | "shelter_takes_category"
  | "provincial_office";

export type Suggestion<A extends RuleAgency> =
  | { agency: A; rule: ReferralRuleCode; reason: string }
  | { agency: null; rule: null; reason: string };

const takes = (a: RuleAgency, category: string) => a.categories.length === 0 || a.categories.includes(category);
/** Several candidates: the oldest entry in the directory, so the answer does not depend on list order. */
const first = <A extends RuleAgency>(list: A[]): A | undefined => [...list].sort((a, b) => a.id - b.id)[0];

/**
 * The hotline's referral rule (OSCC practice): a crisis in Bangkok goes to the rapid-response team; a
 * crisis elsewhere to that province's child and family shelter; anything else to the province's shelter
 * when it takes the category, else to the provincial social development office.
 */
export function suggestAgency<A extends RuleAgency>(c: RuleCase, agencies: readonly A[]): Suggestion<A> {
  const none = (reason: string): Suggestion<A> => ({ agency: null, rule: null, reason });
  if (!c.province) return none("The case has no province yet: set the province to get a suggestion.");
  const active = agencies.filter((a) => a.active !== false);
  const where = provinceLabel(c.province);
  const inProvince = (type: AgencyType) => active.filter((a) => a.type === type && a.province === c.province);

  if (c.urgency === "crisis" && c.province === BANGKOK) {
    const team = first(inProvince("rapid_response")) ?? first(active.filter((a) => a.type === "rapid_response" && a.province === null));
    return team
      ? { agency: team, rule: "crisis_bangkok_rapid_response", reason: `A crisis in Bangkok goes to the rapid-response team: ${team.name}.` }
      : none("A crisis in Bangkok goes to the rapid-response team, but no active rapid-response team is listed for Bangkok or nationwide.");
  }
  const shelter = first(inProvince("child_family_shelter"));
  if (c.urgency === "crisis") {
    return shelter
      ? { agency: shelter, rule: "crisis_provincial_shelter", reason: `A crisis outside Bangkok goes to the province's child and family shelter: ${shelter.name} (${where}).` }
      : none(`A crisis outside Bangkok goes to the province's child and family shelter, but none is listed as active for ${where}.`);
  }
  const takingShelter = first(inProvince("child_family_shelter").filter((a) => takes(a, c.category)));
  if (takingShelter) {
    return { agency: takingShelter, rule: "shelter_takes_category", reason: `${where}'s child and family shelter takes ${c.category} matters: ${takingShelter.name}.` };
  }
  const office = first(inProvince("provincial_office"));
  const why = shelter ? `${where}'s child and family shelter does not take ${c.category} matters` : `${where} has no active child and family shelter`;
  return office
    ? { agency: office, rule: "provincial_office", reason: `${why}, so the matter goes to the provincial office: ${office.name}.` }
    : none(`${why}, and no active provincial office is listed for ${where}.`);
}
