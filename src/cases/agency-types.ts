import { z } from "zod";
import type { Tables } from "../../db/storage.js";

/** Kinds of agencies the hotline refers to (the names the ministry's staff use, for pages and exports). */
export const AGENCY_TYPES = ["rapid_response", "child_family_shelter", "provincial_office", "police", "hospital", "other"] as const;
export type AgencyType = (typeof AGENCY_TYPES)[number];
export const agencyTypeSchema = z.enum(AGENCY_TYPES);

export const AGENCY_TYPE_LABELS: Record<AgencyType, { th: string; en: string }> = {
  rapid_response: { th: "หน่วยเคลื่อนที่เร็ว ศูนย์ช่วยเหลือสังคม", en: "Rapid-response team (Social Assistance Center)" },
  child_family_shelter: { th: "บ้านพักเด็กและครอบครัว", en: "Child and family shelter" },
  provincial_office: { th: "สำนักงานพัฒนาสังคมและความมั่นคงของมนุษย์จังหวัด", en: "Provincial social development and human security office" },
  police: { th: "สถานีตำรวจ", en: "Police" },
  hospital: { th: "โรงพยาบาล", en: "Hospital" },
  other: { th: "หน่วยงานอื่น", en: "Other agency" },
};

// The schema's column enum and this list must stay the same list.
type SchemaType = Tables["agencies"]["$inferSelect"]["type"];
const sameList: [SchemaType, AgencyType] extends [AgencyType, SchemaType] ? true : never = true;
void sameList;
