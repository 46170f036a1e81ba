import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import { Carrier } from "./carrier.js";

export interface SimulatorOptions {
  /** The hotline server's public origin: the number's Voice URL and Status Callback URL live under it. */
  publicBaseUrl: string;
  accountSid: string;
  authToken: string;
  hotlineNumber: string;
  clock: Clock;
  logger?: Logger;
  port?: number;
  host?: string;
  verifyMedia?: boolean;
  /** Twilio's webhook connection overrides (`ct=…&rc=…`) the setup puts on the number's URLs, as a fragment. */
  connectionOverrides?: string;
}

export interface RunningSimulator {
  /** Where the carrier listens: point TWILIO_API_BASE_URL here; the web phone is at `${origin}/`. */
  origin: string;
  carrier: Carrier;
  close: () => Promise<void>;
}

/**
 * Starts the built-in carrier with its hotline number configured the way `npm run twilio:setup`
 * configures a Twilio number: Voice URL /twilio/voice, fallback /twilio/fallback, status callback
 * /twilio/status (all POST). The number's settings can change afterwards over the REST API.
 */
export async function startSimulator(opts: SimulatorOptions): Promise<RunningSimulator> {
  const base = opts.publicBaseUrl.replace(/\/+$/, "");
  const at = (path: string) => `${base}${path}${opts.connectionOverrides ? `#${opts.connectionOverrides}` : ""}`;
  const carrier = new Carrier({
    accountSid: opts.accountSid,
    authToken: opts.authToken,
    voiceUrl: at("/twilio/voice"),
    voiceFallbackUrl: at("/twilio/fallback"),
    statusCallbackUrl: at("/twilio/status"),
    hotlineNumber: opts.hotlineNumber,
    clock: opts.clock,
    logger: opts.logger?.child({ component: "carrier" }),
    verifyMedia: opts.verifyMedia,
  });
  const origin = await carrier.listen({ port: opts.port ?? 0, host: opts.host ?? "127.0.0.1" });
  opts.logger?.info({ origin }, "built-in carrier listening; web phone at its origin");
  return { origin, carrier, close: () => carrier.close() };
}
