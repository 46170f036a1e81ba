import { z } from "zod";

/** Twilio Voice SDK identities may hold only letters, digits and underscore: Twilio cannot dial any other. */
export const CLIENT_IDENTITY_RULE = /^[A-Za-z0-9_]{1,121}$/;

const SIP_OR_NUMBER = /^(sip:[^\s@]+@[^\s]+|\+[1-9]\d{6,14})$/;

/** Where a phone rings (an agent's, an agency's): a Twilio Client identity, a SIP address or an E.164 number. */
export const endpointSchema = z.string().superRefine((value, ctx) => {
  if (value.startsWith("client:")) {
    // Said in full: the person typing the identity needs the rule, not just "invalid".
    if (!CLIENT_IDENTITY_RULE.test(value.slice("client:".length))) {
      ctx.addIssue({ code: "custom", message: `a client: identity must match ${CLIENT_IDENTITY_RULE.source} (1 to 121 letters, digits or underscores)` });
    }
  } else if (!SIP_OR_NUMBER.test(value)) {
    ctx.addIssue({ code: "custom", message: "endpoint must be client:<identity>, sip:<user>@<host> or an E.164 number" });
  }
});

/** A browser phone (Twilio Voice SDK) accepts in the page; a phone or SIP endpoint may be a voicemail. */
export const isBrowserPhone = (endpoint: string | null | undefined) => Boolean(endpoint?.startsWith("client:"));
