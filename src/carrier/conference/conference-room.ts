import type { CarrierCore } from "../core.js";
import type { SimCall } from "../sim-call.js";
import type { HttpMethod } from "../webhook-client.js";
import { newSid, rfc2822 } from "../sids.js";
import { MusicLoop } from "./music-loop.js";
import { Participant, type ConferenceCallbackConfig, type ParticipantOptions } from "./participant.js";

export type ConferenceStatus = "init" | "in-progress" | "completed";
export type EndReason =
  | "conference-ended-via-api"
  | "participant-with-end-conference-on-exit-left"
  | "participant-with-end-conference-on-exit-kicked"
  | "last-participant-left"
  | "last-participant-kicked";

type ConferenceEvent =
  | "conference-start" | "conference-end" | "participant-join" | "participant-leave" | "participant-mute"
  | "participant-unmute" | "participant-hold" | "participant-unhold" | "participant-modify" | "announcement-end";

/** statusCallbackEvent subscribes with short names; the callback's StatusCallbackEvent carries the long one. */
const SUBSCRIPTION: Record<ConferenceEvent, string> = {
  "conference-start": "start", "conference-end": "end", "participant-join": "join", "participant-leave": "leave",
  "participant-mute": "mute", "participant-unmute": "mute", "participant-hold": "hold", "participant-unhold": "hold",
  "participant-modify": "modify", "announcement-end": "announcement",
};

export interface ParticipantChanges {
  muted?: boolean;
  hold?: boolean;
  holdUrl?: string;
  holdMethod?: HttpMethod;
  endConferenceOnExit?: boolean;
  announceUrl?: string;
  announceMethod?: HttpMethod;
  /** Already checked by the REST layer: coaching needs a participant to coach. */
  coaching?: boolean;
  callSidToCoach?: string;
}

/**
 * One conference, Twilio-style: it starts once two participants are in and one of them has
 * startConferenceOnEnter; until then everyone hears the waitUrl. It ends when the last participant
 * leaves or one with endConferenceOnExit does, and then everyone else leaves too.
 */
export class ConferenceRoom {
  readonly sid = newSid("CF");
  status: ConferenceStatus = "init";
  readonly dateCreated: number;
  dateUpdated: number;
  reasonEnded: EndReason | undefined;
  callSidEnding: string | undefined;
  readonly participants = new Map<string, Participant>();
  /** Every join and leave in order: the carrier's own record of who was in the room together. */
  readonly presence: Array<{ callSid: string; change: "join" | "leave" }> = [];
  /** Only the first participant's statusCallback counts, as Twilio documents for conference events. */
  callback: ConferenceCallbackConfig | undefined;
  private sequence = 0;

  constructor(
    private readonly core: CarrierCore,
    readonly friendlyName: string,
  ) {
    this.dateCreated = this.dateUpdated = core.clock.now();
  }

  join(call: SimCall, options: ParticipantOptions, callback?: ConferenceCallbackConfig): Participant {
    this.callback ??= callback;
    const participant = new Participant(call, options, this.core.clock.now());
    if (options.beep === "true" || options.beep === "onEnter") this.beepOthers(call);
    this.participants.set(call.sid, participant);
    this.presence.push({ callSid: call.sid, change: "join" });
    this.touch();
    this.emit("participant-join", participant);
    this.maybeStart();
    this.refreshAudio(participant);
    return participant;
  }

  leave(callSid: string, how: "left" | "kicked"): void {
    const p = this.participants.get(callSid);
    if (!p) return;
    this.remove(p);
    if (p.options.beep === "true" || p.options.beep === "onExit") this.beepOthers(p.call);
    if (this.status === "completed") return;
    if (p.options.endConferenceOnExit) this.end(`participant-with-end-conference-on-exit-${how}`, callSid);
    else if (this.participants.size === 0) this.end(`last-participant-${how}`, callSid);
  }

  end(reason: EndReason, endingCallSid?: string): void {
    if (this.status === "completed") return;
    this.status = "completed";
    this.reasonEnded = reason;
    this.callSidEnding = endingCallSid;
    for (const p of [...this.participants.values()]) this.remove(p);
    this.touch();
    this.emit("conference-end");
  }

  update(callSid: string, changes: ParticipantChanges): Participant | undefined {
    const p = this.participants.get(callSid);
    if (!p) return undefined;
    if (changes.holdUrl !== undefined) p.holdUrl = changes.holdUrl;
    if (changes.holdMethod) p.holdMethod = changes.holdMethod;
    if (changes.muted !== undefined && changes.muted !== p.options.muted) {
      p.options = { ...p.options, muted: changes.muted };
      this.emit(changes.muted ? "participant-mute" : "participant-unmute", p);
    }
    if (changes.hold !== undefined && changes.hold !== p.hold) {
      p.hold = changes.hold;
      this.emit(changes.hold ? "participant-hold" : "participant-unhold", p);
      this.refreshAudio(p);
    }
    if (changes.endConferenceOnExit !== undefined && changes.endConferenceOnExit !== p.options.endConferenceOnExit) {
      p.options = { ...p.options, endConferenceOnExit: changes.endConferenceOnExit };
      this.emit("participant-modify", p);
    }
    if (changes.coaching !== undefined || changes.callSidToCoach !== undefined) {
      const coaching = changes.coaching ?? (changes.callSidToCoach !== undefined ? true : p.coaching);
      const target = coaching ? (changes.callSidToCoach ?? p.callSidToCoach) : undefined;
      if (coaching !== p.coaching || target !== p.callSidToCoach) {
        p.coaching = coaching;
        p.callSidToCoach = target;
        this.emit("participant-modify", p);
      }
    }
    if (changes.announceUrl) this.announce([p], changes.announceUrl, changes.announceMethod ?? "POST");
    p.updatedAt = this.core.clock.now();
    this.touch();
    return p;
  }

  /**
   * Whether one leg hears another now: both in the started room, neither on hold, the speaker not muted,
   * and a coaching speaker only by the participant it coaches. Not Twilio's API: the simulator's model of
   * the audio, so tests can say who heard whom.
   */
  hears(listenerSid: string, speakerSid: string): boolean {
    const listener = this.participants.get(listenerSid);
    const speaker = this.participants.get(speakerSid);
    if (!listener || !speaker || listener === speaker || this.status !== "in-progress") return false;
    if (listener.hold || speaker.hold || speaker.muted) return false;
    return !speaker.coaching || speaker.callSidToCoach === listenerSid;
  }

  /** Plays an announcement to the given participants (all of them for a conference-wide one). */
  announce(to: Participant[], url: string, method: HttpMethod): void {
    const plays = to.map((p) => new MusicLoop(this.core, p.call, { url, method, during: "announce", repeat: false }).finished);
    void Promise.all(plays).then(() => this.emit("announcement-end"));
  }

  private remove(p: Participant): void {
    this.participants.delete(p.call.sid);
    this.presence.push({ callSid: p.call.sid, change: "leave" });
    p.left();
    this.touch();
    this.emit("participant-leave", p);
  }

  private maybeStart(): void {
    if (this.status !== "init" || this.participants.size < 2) return;
    if (![...this.participants.values()].some((p) => p.options.startConferenceOnEnter)) return;
    this.status = "in-progress";
    this.touch();
    this.emit("conference-start");
    for (const p of this.participants.values()) this.refreshAudio(p);
  }

  /** Hold music while on hold; wait music until the conference starts; otherwise the conference itself. */
  private refreshAudio(p: Participant): void {
    const want = p.hold ? "hold" : this.status === "init" ? "wait" : undefined;
    if (want === p.musicKind) return;
    p.music?.stop();
    p.musicKind = want;
    p.music = undefined;
    if (want === "hold") p.music = new MusicLoop(this.core, p.call, { url: p.holdUrl, method: p.holdMethod, during: "hold", repeat: true });
    if (want === "wait") p.music = new MusicLoop(this.core, p.call, { url: p.options.waitUrl, method: p.options.waitMethod, during: "wait", repeat: true });
  }

  private beepOthers(except: SimCall): void {
    for (const p of this.participants.values()) {
      if (p.call !== except && !p.hold) p.call.hear({ verb: "beep", at: this.core.clock.now() });
    }
  }

  private touch(): void {
    this.dateUpdated = this.core.clock.now();
  }

  private emit(event: ConferenceEvent, p?: Participant): void {
    const cb = this.callback;
    if (!cb || !cb.events.has(SUBSCRIPTION[event])) return;
    const { config, clock } = this.core;
    const params: Record<string, string> = {
      AccountSid: config.accountSid,
      ConferenceSid: this.sid,
      FriendlyName: this.friendlyName,
      StatusCallbackEvent: event,
      SequenceNumber: String(this.sequence++),
      Timestamp: rfc2822(clock.now()),
    };
    if (p) {
      Object.assign(params, {
        CallSid: p.call.sid,
        Muted: String(p.options.muted),
        Hold: String(p.hold),
        Coaching: String(p.coaching),
        EndConferenceOnExit: String(p.options.endConferenceOnExit),
        StartConferenceOnEnter: String(p.options.startConferenceOnEnter),
      });
      if (p.options.label) params.ParticipantLabel = p.options.label;
      if (p.callSidToCoach) params.CallSidToCoach = p.callSidToCoach;
    }
    if (event === "conference-end" && this.reasonEnded) {
      params.ReasonConferenceEnded = this.reasonEnded;
      if (this.callSidEnding) params.CallSidEndingConference = this.callSidEnding;
    }
    this.core.callbacks.dispatch({ url: cb.url, method: cb.method, params });
  }
}
