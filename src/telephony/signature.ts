import twilio from "twilio";

/**
 * Twilio signs each webhook over the URL it called plus the sorted POST parameters. The URL must be
 * rebuilt from PUBLIC_BASE_URL, not the Host header: behind a proxy the Host is not what Twilio saw.
 */
export function isValidTwilioSignature(
  authToken: string,
  signature: string | undefined,
  url: string,
  params: Record<string, unknown>,
): boolean {
  if (!signature) return false;
  return twilio.validateRequest(authToken, signature, url, params as Record<string, string>);
}

export function twilioSignature(authToken: string, url: string, params: Record<string, unknown>): string {
  return twilio.getExpectedTwilioSignature(authToken, url, params as Record<string, string>);
}
