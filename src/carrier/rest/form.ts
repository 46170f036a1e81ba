import { z } from "zod";
import { RestError } from "./twilio-errors.js";

/** Form fields arrive as a string, or an array when repeated (StatusCallbackEvent=a&StatusCallbackEvent=b). */
const raw = z.union([z.string(), z.array(z.string())]);
export const formString = raw.transform((v) => (Array.isArray(v) ? (v[v.length - 1] ?? "") : v));
export const formList = raw.transform((v) => (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(/[\s,]+/)).filter(Boolean));
export const formBool = formString.pipe(z.enum(["true", "false"])).transform((v) => v === "true");
export const formMethod = formString.transform((v) => v.toUpperCase()).pipe(z.enum(["GET", "POST"]));
export const formInt = formString.transform((v) => Number(v)).pipe(z.number().int());
export const formUrl = formString.pipe(z.url({ protocol: /^https?$/ }));

/** Parses a REST body or query with zod; a bad value is Twilio's 400 with the parameter named. */
export function parseForm<S extends z.ZodType>(schema: S, input: unknown, code = 20001): z.infer<S> {
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new RestError(400, code, `Invalid parameter ${issue?.path.join(".") ?? ""}: ${issue?.message ?? "invalid"}`);
}
