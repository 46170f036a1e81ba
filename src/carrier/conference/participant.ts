import type { SimCall } from "../sim-call.js";
import type { HttpMethod } from "../webhook-client.js";
import type { MusicLoop } from "./music-loop.js";

export type Beep = "true" | "false" | "onEnter" | "onExit";

/** How a leg takes part in a conference, from <Conference> attributes or REST Participant parameters. */
export interface ParticipantOptions {
  muted: boolean;
  beep: Beep;
  startConferenceOnEnter: boolean;
  endConferenceOnExit: boolean;
  /** undefined: Twilio's default hold music; "": silence. */
  waitUrl?: string;
  waitMethod: HttpMethod;
  label?: string;
  /** TwiML <Conference coach="CA…">: joins coaching that participant. */
  coach?: string;
}

export interface ConferenceCallbackConfig {
  url: string;
  method: HttpMethod;
  /** TwiML short names: start end join leave mute hold modify speaker announcement. */
  events: ReadonlySet<string>;
}

export class Participant {
  hold = false;
  /** A coach is heard by the participant it coaches only (Twilio's agent coaching); it hears everyone. */
  coaching = false;
  callSidToCoach: string | undefined;
  holdUrl: string | undefined;
  holdMethod: HttpMethod = "GET";
  readonly joinedAt: number;
  updatedAt: number;
  /** The wait or hold music this participant hears now, if any. */
  music: MusicLoop | undefined;
  musicKind: "wait" | "hold" | undefined;
  private leftListeners: Array<() => void> = [];

  constructor(
    readonly call: SimCall,
    public options: ParticipantOptions,
    now: number,
  ) {
    this.joinedAt = now;
    this.updatedAt = now;
    if (options.coach) {
      this.coaching = true;
      this.callSidToCoach = options.coach;
    }
  }

  get muted(): boolean {
    return this.options.muted;
  }

  onLeft(listener: () => void): () => void {
    this.leftListeners.push(listener);
    return () => {
      this.leftListeners = this.leftListeners.filter((l) => l !== listener);
    };
  }

  /** Internal: the room removed this participant. */
  left(): void {
    this.music?.stop();
    this.music = undefined;
    this.musicKind = undefined;
    for (const listener of this.leftListeners) listener();
    this.leftListeners = [];
  }
}
