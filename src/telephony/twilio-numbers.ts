import type { NumberDirectory, NumberSettings } from "./number-setup.js";
import { twilioClient, type TwilioAccess } from "./twilio-carrier.js";

/** The account's IncomingPhoneNumbers through the official client (list by PhoneNumber, then update by SID). */
export function twilioNumbers(access: TwilioAccess): NumberDirectory {
  const client = twilioClient(access);
  return {
    async find(phoneNumber) {
      // Twilio's PhoneNumber filter also matches partial numbers: only the exact one is ours.
      const listed = await client.incomingPhoneNumbers.list({ phoneNumber, limit: 50 });
      const found = listed.find((n) => n.phoneNumber === phoneNumber);
      if (!found) return undefined;
      return {
        sid: found.sid,
        phoneNumber: found.phoneNumber,
        voiceUrl: found.voiceUrl ?? "",
        voiceMethod: (found.voiceMethod ?? "POST").toUpperCase() as NumberSettings["voiceMethod"],
        voiceFallbackUrl: found.voiceFallbackUrl ?? "",
        voiceFallbackMethod: (found.voiceFallbackMethod ?? "POST").toUpperCase() as NumberSettings["voiceFallbackMethod"],
        statusCallback: found.statusCallback ?? "",
        statusCallbackMethod: (found.statusCallbackMethod ?? "POST").toUpperCase() as NumberSettings["statusCallbackMethod"],
      };
    },
    async update(sid, patch) {
      await client.incomingPhoneNumbers(sid).update(patch);
    },
  };
}
