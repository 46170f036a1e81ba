/** The built-in carrier: a local stand-in for Twilio (see carrier.ts); the server uses startSimulator. */
export { Carrier, type ConferenceSnapshot } from "./carrier.js";
export type { CarrierOptions } from "./carrier-options.js";
export { startSimulator, type SimulatorOptions, type RunningSimulator } from "./simulator.js";
export { SimCall, type CallState, type CallStatus, type HeardPrompt, type GatherInfo, type Direction } from "./sim-call.js";
export { SimEndpoint, type AnswerMode } from "./endpoints.js";
export type { RestFault } from "./rest/rest-faults.js";
export type { CallbackFault } from "./callback-dispatcher.js";
export type { WebhookRequest, WebhookFailure } from "./webhook-client.js";
export type { ApplicationError } from "./core.js";
export type { ParticipantView } from "./rest/json-shapes.js";
