/**
 * `npm run twilio:setup`: what a hotline number's settings on the account must be, what has to change
 * to get there (pure), and applying it through a NumberDirectory (Twilio's IncomingPhoneNumbers).
 */
import { withOverrides } from "./connection-overrides.js";

export type HttpMethod = "GET" | "POST";

/** A number's voice settings, as Twilio's IncomingPhoneNumber resource names them. */
export interface NumberSettings {
  voiceUrl: string;
  voiceMethod: HttpMethod;
  voiceFallbackUrl: string;
  voiceFallbackMethod: HttpMethod;
  statusCallback: string;
  statusCallbackMethod: HttpMethod;
}

export interface AccountNumber extends NumberSettings {
  sid: string;
  phoneNumber: string;
}

/** The account's numbers, as the setup needs them. */
export interface NumberDirectory {
  find(phoneNumber: string): Promise<AccountNumber | undefined>;
  update(sid: string, patch: Partial<NumberSettings>): Promise<void>;
}

/**
 * What every hotline number must say: calls in, the fallback when that fails, and the end of each call,
 * each URL with the webhook connection overrides (a fragment, see connection-overrides.ts).
 */
export function hotlineSettings(publicBaseUrl: string, overrides = ""): NumberSettings {
  const base = publicBaseUrl.replace(/\/+$/, "");
  return {
    voiceUrl: withOverrides(`${base}/twilio/voice`, overrides),
    voiceMethod: "POST",
    voiceFallbackUrl: withOverrides(`${base}/twilio/fallback`, overrides),
    voiceFallbackMethod: "POST",
    statusCallback: withOverrides(`${base}/twilio/status`, overrides),
    statusCallbackMethod: "POST",
  };
}

export interface Change {
  field: keyof NumberSettings;
  from: string;
  to: string;
}

const FIELDS: Array<keyof NumberSettings> = ["voiceUrl", "voiceMethod", "voiceFallbackUrl", "voiceFallbackMethod", "statusCallback", "statusCallbackMethod"];

/** The settings that differ. Twilio reports methods in any case and unset URLs as null or "". */
export function planChanges(current: Partial<Record<keyof NumberSettings, string | null>>, wanted: NumberSettings): Change[] {
  const norm = (field: keyof NumberSettings, v: string | null | undefined) => (field.endsWith("Method") ? (v ?? "").toUpperCase() : (v ?? ""));
  return FIELDS.filter((f) => norm(f, current[f]) !== norm(f, wanted[f])).map((f) => ({ field: f, from: current[f] ?? "", to: wanted[f] }));
}

export type NumberOutcome =
  | { phoneNumber: string; result: "missing" }
  | { phoneNumber: string; sid: string; result: "unchanged" | "planned" | "changed"; changes: Change[] };

/** Brings each number to the hotline's settings; with dryRun, only says what it would change. Idempotent. */
export async function setUpNumbers(directory: NumberDirectory, phoneNumbers: string[], wanted: NumberSettings, dryRun: boolean): Promise<NumberOutcome[]> {
  const outcomes: NumberOutcome[] = [];
  for (const phoneNumber of phoneNumbers) {
    const number = await directory.find(phoneNumber);
    if (!number) {
      outcomes.push({ phoneNumber, result: "missing" });
      continue;
    }
    const changes = planChanges(number, wanted);
    if (changes.length === 0) outcomes.push({ phoneNumber, sid: number.sid, result: "unchanged", changes });
    else if (dryRun) outcomes.push({ phoneNumber, sid: number.sid, result: "planned", changes });
    else {
      await directory.update(number.sid, Object.fromEntries(changes.map((c) => [c.field, wanted[c.field]])));
      outcomes.push({ phoneNumber, sid: number.sid, result: "changed", changes });
    }
  }
  return outcomes;
}

const LABELS: Record<keyof NumberSettings, string> = {
  voiceUrl: "VoiceUrl",
  voiceMethod: "VoiceMethod",
  voiceFallbackUrl: "VoiceFallbackUrl",
  voiceFallbackMethod: "VoiceFallbackMethod",
  statusCallback: "StatusCallback",
  statusCallbackMethod: "StatusCallbackMethod",
};

/** The report a person reads, a line per number and per change. */
export function describeOutcomes(outcomes: NumberOutcome[]): string[] {
  const lines: string[] = [];
  for (const o of outcomes) {
    if (o.result === "missing") {
      lines.push(`${o.phoneNumber}: not a number of this account (IncomingPhoneNumbers has no such number)`);
      continue;
    }
    const head = { unchanged: "nothing to change", planned: "would change (dry run)", changed: "changed" }[o.result];
    lines.push(`${o.phoneNumber} (${o.sid}): ${head}`);
    for (const c of o.changes) lines.push(`  ${LABELS[c.field]}: ${c.from || "(none)"} -> ${c.to}`);
  }
  return lines;
}
