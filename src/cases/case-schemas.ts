import { z } from "zod";
import { toE164 } from "../calls/phone-number.js";
import { NOTE_MAX_CHARS, NOTE_TOO_LONG } from "../note-length.js";
import { categoryCodeSchema } from "./case-categories.js";
import { provinceCodeSchema } from "./provinces.js";

export const URGENCIES = ["normal", "urgent", "crisis"] as const;
export const CHANNELS = ["hotline", "walk_in", "social_media", "letter", "other"] as const;
export const CASE_STATUSES = ["open", "referred", "closed"] as const;
export const PERSON_ROLES = ["victim", "reporter", "alleged_perpetrator", "guardian", "witness", "other"] as const;
export const SEXES = ["female", "male", "other", "unknown"] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export const personSchema = z.strictObject({
  role: z.enum(PERSON_ROLES),
  name: z.string().trim().min(1).max(200).optional(),
  age: z.number().int().min(0).max(130).optional(),
  sex: z.enum(SEXES).optional(),
  note: z.string().trim().max(2000).optional(),
});
export type Person = z.infer<typeof personSchema>;

const callSid = z.string().trim().min(1).max(64);
const callbackId = z.number().int().positive();

const fields = {
  category: categoryCodeSchema,
  province: provinceCodeSchema.nullable(),
  urgency: z.enum(URGENCIES),
  channel: z.enum(CHANNELS),
  people: z.array(personSchema).max(30),
  notes: z.string().max(NOTE_MAX_CHARS, NOTE_TOO_LONG),
};

export const newCaseSchema = z.strictObject({
  category: fields.category,
  province: fields.province.optional().transform((p) => p ?? null),
  urgency: fields.urgency.default("normal"),
  channel: fields.channel.default("hotline"),
  callSid: callSid.optional(),
  callbackId: callbackId.optional(),
  people: fields.people.default([]),
  notes: fields.notes.default(""),
});
export type NewCase = z.infer<typeof newCaseSchema>;

/** The same fields, each optional; the status may be closed or opened again ("referred" comes from a referral). */
export const casePatchSchema = z
  .strictObject({
    category: fields.category.optional(),
    province: fields.province.optional(),
    urgency: fields.urgency.optional(),
    channel: fields.channel.optional(),
    callSid: callSid.optional(),
    callbackId: callbackId.optional(),
    people: fields.people.optional(),
    notes: fields.notes.optional(),
    status: z.enum(["open", "closed"]).optional(),
    /** Supervisors only: a case a court, the police or a shelter still needs is kept out of anonymisation. */
    legalHold: z.boolean().optional(),
  })
  .refine((p) => Object.keys(p).length > 0, "nothing to change");
export type CasePatch = z.infer<typeof casePatchSchema>;

export const linkSchema = z
  .strictObject({ callSid: callSid.optional(), callbackId: callbackId.optional() })
  .refine((l) => (l.callSid === undefined) !== (l.callbackId === undefined), "give either callSid or callbackId");
export type NewLink = z.infer<typeof linkSchema>;

export const caseFilterSchema = z.object({
  status: z.enum(CASE_STATUSES).optional(),
  province: provinceCodeSchema.optional(),
  category: categoryCodeSchema.optional(),
  /** The caller's number, written any usual way (0812345678, +66812345678). */
  number: z
    .string()
    .transform((v, ctx) => toE164(v) ?? (ctx.addIssue({ code: "custom", message: "not a valid phone number" }), z.NEVER))
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
export type CaseFilter = z.infer<typeof caseFilterSchema>;
