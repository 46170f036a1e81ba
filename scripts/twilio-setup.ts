// npm run twilio:setup [-- --dry-run] [-- --number +66… --number +66…]
// Points each hotline number on the Twilio account at this server: Voice URL, fallback URL and status
// callback, all under PUBLIC_BASE_URL. Idempotent: a second run says "nothing to change".
import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "../src/config.js";
import { describeOutcomes, hotlineSettings, setUpNumbers } from "../src/telephony/number-setup.js";
import { connectionOverrides } from "../src/telephony/connection-overrides.js";
import { twilioNumbers } from "../src/telephony/twilio-numbers.js";

const E164 = /^\+[1-9]\d{1,14}$/;

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { "dry-run": { type: "boolean", default: false }, number: { type: "string", multiple: true } } });
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
  if (!config.TWILIO_ACCOUNT_SID || !config.TWILIO_AUTH_TOKEN) fail("TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN must be set: the numbers are configured on that account.");
  // Without it the numbers would be pointed at http://localhost, which Twilio cannot reach.
  if (!process.env.PUBLIC_BASE_URL?.trim()) fail("PUBLIC_BASE_URL must be set to the origin Twilio reaches this server at (e.g. https://hotline.example.org).");
  const numbers = (values.number ?? []).flatMap((n) => n.split(",")).map((n) => n.trim()).filter(Boolean);
  if (numbers.length === 0 && config.HOTLINE_NUMBER) numbers.push(config.HOTLINE_NUMBER);
  if (numbers.length === 0) fail("No number to configure: set HOTLINE_NUMBER or give --number +66….");
  const bad = numbers.filter((n) => !E164.test(n));
  if (bad.length) fail(`Not E.164 numbers: ${bad.join(", ")}`);

  const dryRun = values["dry-run"] ?? false;
  const directory = twilioNumbers({ accountSid: config.TWILIO_ACCOUNT_SID, authToken: config.TWILIO_AUTH_TOKEN, apiBaseUrl: config.TWILIO_API_BASE_URL, timeoutMs: config.TWILIO_TIMEOUT_MS });
  const outcomes = await setUpNumbers(directory, numbers, hotlineSettings(config.PUBLIC_BASE_URL, connectionOverrides(config)), dryRun);
  console.log(`${dryRun ? "Plan (dry run, nothing changed)" : "Twilio number setup"} for ${config.PUBLIC_BASE_URL}:`);
  for (const line of describeOutcomes(outcomes)) console.log(line);
  if (outcomes.some((o) => o.result === "missing")) process.exit(1);
}

main().catch((err: unknown) => fail(`twilio:setup failed: ${err instanceof Error ? err.message : String(err)}`));
