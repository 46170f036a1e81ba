import { twilioSignature } from "../../src/telephony/signature.js";
import { SIMULATOR_AUTH_TOKEN } from "../../src/hotline.js";

export interface PostResult {
  status: number;
  body: string;
}

/** Posts a form to the hotline as Twilio would, signed over PUBLIC_BASE_URL + path; `signature` overrides it. */
export async function signedPost(
  baseUrl: string,
  pathAndQuery: string,
  params: Record<string, string>,
  opts: { signature?: string | null; authToken?: string } = {},
): Promise<PostResult> {
  // As Twilio does, a URL's fragment (its connection overrides) is neither sent nor signed.
  const url = `${baseUrl}${pathAndQuery}`.split("#")[0]!;
  const signature = opts.signature === undefined ? twilioSignature(opts.authToken ?? SIMULATOR_AUTH_TOKEN, url, params) : opts.signature;
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...(signature === null ? {} : { "x-twilio-signature": signature }) },
    body: new URLSearchParams(params).toString(),
  });
  return { status: res.status, body: await res.text() };
}

let counter = 0;
/** A fresh, valid-looking CallSid. */
export function newCallSid(): string {
  counter += 1;
  return `CA${(Date.now().toString(16) + counter.toString(16).padStart(8, "0")).padStart(32, "0").slice(-32)}`;
}
