import { XMLParser, XMLValidator } from "fast-xml-parser";

/** One TwiML element: a verb, or a noun nested in a verb. */
export interface TwimlNode {
  name: string;
  attrs: Record<string, string>;
  /** The element's own text (a Say's words, a Play's URL, a Conference's name). */
  text: string;
  /** All text inside, in document order, nested SSML (<prosody>, <emphasis>…) included. */
  deepText: string;
  children: TwimlNode[];
}

/** Twilio's error when a webhook answer cannot be used as TwiML (an application error for the caller). */
export class TwimlError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: true,
});

type Ordered = Record<string, unknown>;

/** Parses a TwiML document into the verbs inside <Response>, in order. */
export function parseTwiml(xml: string): TwimlNode[] {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new TwimlError(12100, `Document parse failure: ${valid.err.msg}`);
  const roots = (parser.parse(xml) as Ordered[]).map(toNode).filter((n): n is TwimlNode => n !== null);
  const root = roots[0];
  if (roots.length !== 1 || !root || root.name !== "Response") {
    throw new TwimlError(12100, "Document parse failure: the root element must be <Response>");
  }
  return root.children;
}

function toNode(entry: Ordered): TwimlNode | null {
  const name = Object.keys(entry).find((k) => k !== ":@");
  if (!name || name === "#text" || name.startsWith("?") || name.startsWith("!")) return null;
  const content = (entry[name] as Ordered[]) ?? [];
  const attrs = Object.fromEntries(
    Object.entries((entry[":@"] as Record<string, unknown>) ?? {}).map(([k, v]) => [k, String(v)]),
  );
  const text = content
    .map((c) => (typeof c["#text"] === "string" || typeof c["#text"] === "number" ? String(c["#text"]) : ""))
    .join("")
    .trim();
  const nodes = content.map(toNode);
  const children = nodes.filter((n): n is TwimlNode => n !== null);
  const deepText = content
    .map((c, i) => nodes[i]?.deepText ?? (typeof c["#text"] === "string" || typeof c["#text"] === "number" ? String(c["#text"]) : ""))
    .filter(Boolean)
    .join(" ")
    .trim();
  return { name, attrs, text, deepText, children };
}

/** What a webhook answer means to Twilio, by Content-Type: TwiML, an audio file to play, or an error. */
export function interpretAnswer(contentType: string, body: string, url: string): TwimlNode[] {
  const type = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
  if (type === "text/xml" || type === "application/xml" || type === "text/html") return parseTwiml(body);
  if (type.startsWith("audio/")) return [{ name: "Play", attrs: {}, text: url, deepText: url, children: [] }];
  if (type === "text/plain") return [{ name: "Say", attrs: {}, text: body.trim(), deepText: body.trim(), children: [] }];
  throw new TwimlError(12300, `Invalid Content-Type: ${type || "(none)"}`);
}

