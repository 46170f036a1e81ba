import { XMLParser } from "fast-xml-parser";

/** A TwiML verb as tests see it: name, attributes, text and nested verbs, in document order. */
export interface Verb {
  name: string;
  attrs: Record<string, string>;
  text: string;
  children: Verb[];
}

const parser = new XMLParser({ preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: "", parseAttributeValue: false, trimValues: true });

type Node = Record<string, unknown> & { ":@"?: Record<string, string> };

function toVerb(node: Node): Verb {
  const name = Object.keys(node).find((k) => k !== ":@") ?? "";
  const inner = (node[name] as Node[]) ?? [];
  const text = inner.filter((n) => "#text" in n).map((n) => String(n["#text"])).join("");
  const children = inner.filter((n) => !("#text" in n)).map(toVerb);
  return { name, attrs: node[":@"] ?? {}, text, children };
}

/** Parses a TwiML document into its <Response>'s verbs; throws if it is not a Response. */
export function parseTwiml(xml: string): Verb[] {
  const doc = (parser.parse(xml) as Node[]).filter((n) => !("?xml" in n));
  const response = doc.map(toVerb).find((v) => v.name === "Response");
  if (!response) throw new Error(`not TwiML: ${xml.slice(0, 200)}`);
  return response.children;
}

/** Every verb, nested ones included, in document order. */
export function flatten(verbs: Verb[]): Verb[] {
  return verbs.flatMap((v) => [v, ...flatten(v.children)]);
}

/** The address Twilio calls for a URL the server handed it: without the connection-overrides fragment, which Twilio keeps to itself. */
export function calledAt(url: string): string {
  return url.split("#")[0]!;
}
