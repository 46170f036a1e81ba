import { z } from "zod";

/** Where a phone rings (an agent's, an agency's): a Twilio Client identity, a SIP address or an E.164 number. */
export const endpointSchema = z
  .string()
  .regex(/^(client:[A-Za-z0-9_.@-]{1,120}|sip:[^\s@]+@[^\s]+|\+[1-9]\d{6,14})$/, "endpoint must be client:<identity>, sip:<user>@<host> or an E.164 number");


/** A browser phone (Twilio Voice SDK) accepts in the page; a phone or SIP endpoint may be a voicemail. */
export const isBrowserPhone = (endpoint: string | null | undefined) => Boolean(endpoint?.startsWith("client:"));
