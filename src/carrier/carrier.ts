import type { FastifyInstance } from "fastify";
import { parseCarrierOptions, type CarrierOptions } from "./carrier-options.js";
import type { ApplicationError, CarrierCore } from "./core.js";
import { WorkTracker } from "./work-tracker.js";
import { WebhookClient, type WebhookAttempt, type WebhookFailure, type WebhookRequest } from "./webhook-client.js";
import { CallbackDispatcher, type CallbackFault } from "./callback-dispatcher.js";
import { CallLifecycle } from "./call-lifecycle.js";
import { CallRegistry } from "./call-registry.js";
import { EndpointRegistry, type AnswerMode, type SimEndpoint } from "./endpoints.js";
import { ConferenceRegistry } from "./conference/conference-registry.js";
import { NumberRegistry, type IncomingNumber } from "./phone-numbers.js";
import { participantView, type ParticipantView } from "./rest/json-shapes.js";
import { RestFaults, type RestFault } from "./rest/rest-faults.js";
import { buildCarrierServer } from "./rest/rest-server.js";
import { simRoutes } from "./sim/sim-routes.js";
import type { SimCall } from "./sim-call.js";
import type { ConferenceStatus } from "./conference/conference-room.js";
import { MessageRegistry, type SimMessage } from "./messages.js";
import { RecordingRegistry, type SimRecording } from "./recordings.js";

export interface ConferenceSnapshot {
  sid: string;
  name: string;
  status: ConferenceStatus;
  participants: ParticipantView[];
}

/**
 * The built-in carrier: a local stand-in for Twilio that places calls to the server's webhooks, runs
 * the TwiML it gets back, and serves Twilio's REST API. All call timing comes from the injected clock.
 */
export class Carrier {
  private readonly core: CarrierCore;
  private readonly restFaults = new RestFaults();
  private server: { app: FastifyInstance; releaseHung: () => void } | undefined;
  private origin: string | undefined;

  constructor(options: CarrierOptions) {
    const { config, clock, logger } = parseCarrierOptions(options);
    const tracker = new WorkTracker();
    const webhooks = new WebhookClient(config.authToken, tracker, logger);
    const applicationErrors: ApplicationError[] = [];
    const core = { config, clock, logger, tracker, webhooks, applicationErrors } as CarrierCore;
    core.callbacks = new CallbackDispatcher(webhooks, tracker, clock, (err) => logger.error({ err }, "status callback failed"));
    core.calls = new CallRegistry();
    core.endpoints = new EndpointRegistry();
    core.conferences = new ConferenceRegistry(core);
    core.lifecycle = new CallLifecycle(core);
    core.numbers = new NumberRegistry(clock);
    core.messages = new MessageRegistry(core);
    core.recordings = new RecordingRegistry(core);
    core.numbers.add(config.hotlineNumber, {
      voiceUrl: config.voiceUrl,
      voiceMethod: config.voiceMethod,
      voiceFallbackUrl: config.voiceFallbackUrl ?? "",
      voiceFallbackMethod: config.voiceFallbackMethod,
      statusCallback: config.statusCallbackUrl ?? "",
      statusCallbackMethod: config.statusCallbackMethod,
    });
    this.core = core;
  }

  /** Starts the HTTP origin (REST API, web phone); returns it, e.g. "http://127.0.0.1:40123". */
  async listen(opts: { port?: number; host?: string } = {}): Promise<string> {
    this.server = buildCarrierServer(this.core, this.restFaults, (app) => simRoutes(app, this));
    const address = await this.server.app.listen({ port: opts.port ?? 0, host: opts.host ?? "127.0.0.1" });
    this.origin = address.replace("[::1]", "localhost");
    this.core.origin = this.origin;
    return this.origin;
  }

  get url(): string {
    if (!this.origin) throw new Error("carrier is not listening");
    return this.origin;
  }

  async close(): Promise<void> {
    this.server?.releaseHung();
    await this.server?.app.close();
    this.server = undefined;
  }

  /** A caller dials the hotline (or `to`); the carrier asks the Voice URL what to do. */
  placeCall(opts: { from: string; to?: string }): SimCall {
    return this.core.lifecycle.placeInbound(opts.from, opts.to ?? this.core.config.hotlineNumber);
  }

  /** The phone at client:<identity>, sip:<uri> or an E.164 number, created on first use. */
  endpoint(address: string): SimEndpoint {
    return this.core.endpoints.get(address);
  }

  endpoints(): SimEndpoint[] {
    return this.core.endpoints.all();
  }

  /** How endpoints nobody configured behave (default "manual": they ring until answered). */
  setDefaultEndpointMode(mode: AnswerMode): void {
    this.core.endpoints.defaultMode = mode;
  }

  call(sid: string): SimCall | undefined {
    return this.core.calls.get(sid);
  }

  /** Every leg, newest first. */
  calls(): SimCall[] {
    return this.core.calls.all();
  }

  liveCalls(): SimCall[] {
    return this.core.calls.live();
  }

  /** The live conference with this name (else the latest one that had it). */
  conference(name: string): ConferenceSnapshot | undefined {
    const room = this.core.conferences.active(name) ?? this.core.conferences.list({ friendlyName: name })[0];
    if (!room) return undefined;
    return { sid: room.sid, name: room.friendlyName, status: room.status, participants: [...room.participants.values()].map((p) => participantView(p, room)) };
  }

  /** Text messages sent through the Messages API, newest first. */
  messages(): SimMessage[] {
    return this.core.messages.all();
  }

  /** Whether one leg hears another now in the conference they share (see ConferenceRoom.hears). */
  hears(listenerSid: string, speakerSid: string): boolean {
    return this.core.conferences.forCall(listenerSid)?.hears(listenerSid, speakerSid) ?? false;
  }

  /** Takes made by <Record>, newest first. */
  recordings(): SimRecording[] {
    return this.core.recordings.all();
  }

  /** Every leg that was in one conference with this leg at the same moment, by the carrier's own record. */
  metWith(callSid: string): Set<string> {
    const met = new Set<string>();
    for (const room of this.core.conferences.list()) {
      const inRoom = new Set<string>();
      for (const { callSid: leg, change } of room.presence) {
        if (change === "leave") inRoom.delete(leg);
        else inRoom.add(leg);
        if (inRoom.has(callSid)) for (const other of inRoom) if (other !== callSid) met.add(other);
      }
    }
    return met;
  }

  /**
   * Resolves when no webhook or REST request is in flight and every leg waits on a person, the clock
   * or a conference. `others` (e.g. the server's own background work) must be idle at the same time.
   */
  async idle(...others: Array<() => Promise<void>>): Promise<void> {
    for (;;) {
      await this.core.tracker.idle();
      const seen = this.core.tracker.changes;
      for (const other of others) await other();
      if (this.core.tracker.changes === seen && !this.core.tracker.busy) return;
    }
  }

  /** The next `times` REST requests fail with `status` (Twilio error JSON) or hang (`hang: true`). */
  failRest(fault: RestFault): void {
    this.restFaults.add(fault);
  }

  /** Make a matching status callback arrive twice, or late (after delayMs of clock time). */
  injectCallbackFault(fault: CallbackFault): void {
    this.core.callbacks.inject(fault);
  }

  /** Status callbacks (call and conference) sent so far, in order. */
  get sentCallbacks(): readonly WebhookRequest[] {
    return this.core.callbacks.sent;
  }

  /** Every webhook try (call and status callbacks, retries included), in order, without fragments. */
  get webhookAttempts(): readonly WebhookAttempt[] {
    return this.core.webhooks.attempts;
  }

  /**
   * Webhooks (call documents and status callbacks) that failed for good, in order: no answer, or a
   * non-2xx one, after the retries their connection overrides allow. Twilio's debugger would list each.
   */
  get failedWebhooks(): readonly WebhookFailure[] {
    return this.core.webhooks.failures;
  }

  /** Calls ended by Twilio's application error ("An application error has occurred"), in order. */
  get applicationErrors(): readonly ApplicationError[] {
    return this.core.applicationErrors;
  }

  get accountSid(): string {
    return this.core.config.accountSid;
  }

  /** The account's numbers with their current settings (IncomingPhoneNumbers). */
  numbers(): IncomingNumber[] {
    return this.core.numbers.all();
  }

  get hotlineNumber(): string {
    return this.core.config.hotlineNumber;
  }
}
