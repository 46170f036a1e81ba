import { z } from "zod";
import type { TwimlNode } from "./parse-twiml.js";
import { TwimlError } from "./parse-twiml.js";

/** Attribute value helpers: TwiML attributes are strings; zod turns them into typed values. */
export const twimlBool = z.enum(["true", "false"]).transform((v) => v === "true");
export const twimlMethod = z
  .string()
  .transform((v) => v.toUpperCase())
  .pipe(z.enum(["GET", "POST"]));
export const seconds = z.coerce.number().int().min(0);
export const eventList = z.string().transform((v) => v.split(/[\s,]+/).filter(Boolean));

/** Validates one element's attributes; a bad value fails the document as Twilio's schema check does. */
export function readAttrs<S extends z.ZodType>(node: TwimlNode, schema: S): z.infer<S> {
  const parsed = schema.safeParse(node.attrs);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TwimlError(12200, `<${node.name}> ${issue?.path.join(".") ?? ""}: ${issue?.message ?? "invalid"}`);
  }
  return parsed.data;
}

/** Relative URLs in TwiML resolve against the URL of the document that holds them. */
export function resolveUrl(ref: string, base: string | undefined): string {
  try {
    return new URL(ref, base).toString();
  } catch {
    throw new TwimlError(11100, `Invalid URL: ${ref}`);
  }
}
