import twilio from "twilio";
import type { Utterance } from "../ivr/prompt-catalog.js";
import { withOverrides } from "./connection-overrides.js";

type VoiceResponse = twilio.twiml.VoiceResponse;
type Container = { say: VoiceResponse["say"]; play: VoiceResponse["play"]; pause: VoiceResponse["pause"] };
type SayAttributes = Parameters<VoiceResponse["say"]>[0];

/**
 * The only place TwiML is written. Every URL handed to Twilio is absolute under PUBLIC_BASE_URL,
 * because Twilio signs (and we verify) against exactly that URL, and carries the webhook connection
 * overrides (`overrides`, a fragment Twilio keeps to itself) so a failed connection is retried.
 */
export class TwimlWriter {
  constructor(
    private readonly baseUrl: string,
    private readonly overrides = "",
  ) {}

  url(path: string, query: Record<string, string | number> = {}): string {
    const qs = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString();
    return withOverrides(`${this.baseUrl}${path}${qs ? `?${qs}` : ""}`, this.overrides);
  }

  private speak(into: Container, utterances: Utterance[]): void {
    for (const u of utterances) {
      if (u.kind === "play") into.play({}, this.url(u.path));
      else into.say({ voice: u.voice.voice, language: u.voice.language } as SayAttributes, u.text);
    }
  }

  /** A menu: prompts inside a one-key Gather (so callers can barge in), then the same action on silence. */
  menu(utterances: Utterance[], action: string, timeout: number): string {
    const r = new twilio.twiml.VoiceResponse();
    const gather = r.gather({ input: ["dtmf"], numDigits: 1, timeout, action, method: "POST", actionOnEmptyResult: true });
    this.speak(gather, utterances);
    // Twilio continues after a Gather that got no key unless actionOnEmptyResult is honoured; the Redirect
    // brings the caller to the same action either way, without Digits, which means "no input".
    r.redirect({ method: "POST" }, action);
    return r.toString();
  }

  /** Prompts, then a Redirect: how a call moves on without waiting for input. */
  sayThenRedirect(utterances: Utterance[], next: string, pauseSeconds = 0): string {
    const r = new twilio.twiml.VoiceResponse();
    this.speak(r, utterances);
    if (pauseSeconds > 0) r.pause({ length: pauseSeconds });
    r.redirect({ method: "POST" }, next);
    return r.toString();
  }

  /** A waiting loop: announcements and a key to press (e.g. for a callback) while music or silence plays. */
  waitLoop(utterances: Utterance[], action: string, holdSeconds: number, next: string, music?: string): string {
    const r = new twilio.twiml.VoiceResponse();
    const gather = r.gather({ input: ["dtmf"], numDigits: 1, timeout: 1, action, method: "POST" });
    this.speak(gather, utterances);
    if (music) gather.play({}, music);
    else gather.pause({ length: holdSeconds });
    r.redirect({ method: "POST" }, next);
    return r.toString();
  }

  /**
   * A take of a prompt: instructions, the beep, then <Record> with leading and trailing silence trimmed,
   * ended by `#`, `timeout` seconds of silence or `maxLength`. Without audio Twilio skips the action
   * and goes on, so the caller then hears `nothing` and the call ends.
   */
  record(utterances: Utterance[], opts: { action: string; maxLength: number; timeout: number }, nothing: Utterance[]): string {
    const r = new twilio.twiml.VoiceResponse();
    this.speak(r, utterances);
    r.record({ action: opts.action, method: "POST", maxLength: opts.maxLength, timeout: opts.timeout, finishOnKey: "#", playBeep: true, trim: "trim-silence" });
    this.speak(r, nothing);
    r.hangup();
    return r.toString();
  }

  /** Plays a take back (the carrier's own media URL, as it gave it) inside a one-key Gather, then the same action on silence. */
  listenBack(mediaUrl: string, utterances: Utterance[], action: string, timeout: number): string {
    const r = new twilio.twiml.VoiceResponse();
    const gather = r.gather({ input: ["dtmf"], numDigits: 1, timeout, action, method: "POST", actionOnEmptyResult: true });
    gather.play({}, mediaUrl);
    this.speak(gather, utterances);
    r.redirect({ method: "POST" }, action);
    return r.toString();
  }

  /** Prompts, then hang up. */
  goodbye(utterances: Utterance[]): string {
    const r = new twilio.twiml.VoiceResponse();
    this.speak(r, utterances);
    r.hangup();
    return r.toString();
  }

  /** Refuse before answering: the caller hears busy and is not billed. */
  rejectBusy(): string {
    const r = new twilio.twiml.VoiceResponse();
    r.reject({ reason: "busy" });
    return r.toString();
  }

  /** Put a leg into a named conference. */
  conference(
    name: string,
    opts: { utterances?: Utterance[]; waitUrl?: string; endOnExit: boolean; startOnEnter: boolean; statusCallback?: string; action?: string },
  ): string {
    const r = new twilio.twiml.VoiceResponse();
    this.speak(r, opts.utterances ?? []);
    // With an action, a leg whose conference ends asks where to go next instead of hanging up.
    const dial = r.dial(opts.action ? { action: opts.action, method: "POST" } : {});
    dial.conference(
      {
        startConferenceOnEnter: opts.startOnEnter,
        endConferenceOnExit: opts.endOnExit,
        beep: "false",
        waitUrl: opts.waitUrl ?? "",
        ...(opts.statusCallback
          ? { statusCallback: opts.statusCallback, statusCallbackEvent: ["start", "end", "join", "leave"], statusCallbackMethod: "POST" }
          : {}),
      },
      name,
    );
    return r.toString();
  }

  empty(): string {
    return new twilio.twiml.VoiceResponse().toString();
  }
}
