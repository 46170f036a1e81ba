import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { CarrierConfig } from "./carrier-options.js";
import type { WorkTracker } from "./work-tracker.js";
import type { WebhookClient } from "./webhook-client.js";
import type { CallbackDispatcher } from "./callback-dispatcher.js";
import type { CallLifecycle } from "./call-lifecycle.js";
import type { CallRegistry } from "./call-registry.js";
import type { EndpointRegistry } from "./endpoints.js";
import type { ConferenceRegistry } from "./conference/conference-registry.js";
import type { NumberRegistry } from "./phone-numbers.js";
import type { MessageRegistry } from "./messages.js";
import type { RecordingRegistry } from "./recordings.js";

/** A call the carrier ended with Twilio's application error (a document it could not fetch or run). */
export interface ApplicationError {
  callSid: string;
  /** Twilio's error code: 11200 retrieval failure, 12100 parse failure, 12300 content type, 12400 loop guard. */
  code: number;
  reason: string;
  at: number;
}

/** The carrier's shared parts, handed to each module so none needs the Carrier facade. */
export interface CarrierCore {
  config: CarrierConfig;
  clock: Clock;
  logger: Logger;
  tracker: WorkTracker;
  webhooks: WebhookClient;
  callbacks: CallbackDispatcher;
  lifecycle: CallLifecycle;
  calls: CallRegistry;
  endpoints: EndpointRegistry;
  conferences: ConferenceRegistry;
  numbers: NumberRegistry;
  messages: MessageRegistry;
  recordings: RecordingRegistry;
  /** Every application error a caller heard, in order. */
  applicationErrors: ApplicationError[];
  /** The carrier's HTTP origin once listening: recordings' URLs are absolute under it, as Twilio's are under api.twilio.com. */
  origin?: string;
}
