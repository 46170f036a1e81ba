/**
 * What the domain asks of the carrier, in its own words. Twilio (src/telephony/twilio-carrier.ts) is
 * one implementation; nothing outside src/telephony knows it is Twilio.
 */
export interface PlaceCall {
  to: string;
  from: string;
  /** Absolute URL whose TwiML runs when the callee answers. */
  url: string;
  statusCallback: string;
  /** Seconds to ring before giving up (no-answer). */
  timeoutSeconds: number;
  /** Ask the carrier whether a person or a machine answered (AnsweredBy in the answer webhook). */
  machineDetection?: boolean;
}

export interface AddParticipant {
  to: string;
  from: string;
  statusCallback: string;
  timeoutSeconds: number;
  /** Whether the conference ends when this participant leaves. */
  endConferenceOnExit: boolean;
  /** Joins muted: hears the conference, is heard by nobody. */
  muted?: boolean;
  /** Joins coaching this participant (Twilio's Coaching/CallSidToCoach): only they hear the newcomer. */
  coach?: string;
}

export interface ParticipantChange {
  hold?: boolean;
  /** What a held participant hears (absolute URL of TwiML). */
  holdUrl?: string;
  endConferenceOnExit?: boolean;
  muted?: boolean;
  /** A call SID: coach that participant (only they hear this one). null: stop coaching. */
  coach?: string | null;
}

/** One call of the carrier's call log. */
export interface LoggedCall {
  sid: string;
  from: string;
  to: string;
  /** The carrier's status: final (completed, busy, failed, no-answer, canceled) or still live. */
  status: string;
  /** Milliseconds since the epoch. */
  startedAt: number;
  endedAt: number | undefined;
}

export interface SendText {
  to: string;
  from: string;
  body: string;
  /** Absolute URL that hears the message's delivery statuses. */
  statusCallback: string;
}

export interface CarrierApi {
  /**
   * A call recording's audio as WAV, fetched with the account's credentials (Twilio may require them
   * for media); `recordingUrl` is the RecordingUrl Twilio handed to a <Record> action.
   */
  fetchRecording(recordingUrl: string): Promise<Buffer>;
  /** Sends a text message; resolves with its id. */
  sendText(text: SendText): Promise<string>;
  placeCall(call: PlaceCall): Promise<string>;
  /** Moves a live call to new TwiML (out of a wait loop, into a conference). */
  redirect(callSid: string, url: string): Promise<void>;
  /** Ends a call: hangs up an answered one, cancels one still ringing. */
  hangup(callSid: string): Promise<void>;
  /** The final status the carrier has for a call, or undefined while it is live or unknown. */
  finalStatus(callSid: string): Promise<string | undefined>;
  /** Inbound calls to `number` that started at or after `since` (ms), from the carrier's call log, live ones included. */
  inboundCallsSince(number: string, since: number): Promise<LoggedCall[]>;
  /** SIDs of every call the carrier has live now (queued, ringing or in progress). */
  liveCallSids(): Promise<Set<string>>;
  /** The SID of the live conference with this name, if any. */
  conferenceSid(name: string): Promise<string | undefined>;
  /** The call SIDs of the participants in a live conference now. */
  conferenceLegs(conferenceSid: string): Promise<string[]>;
  /** Dials someone into a live conference; resolves with their call's SID. */
  addParticipant(conferenceSid: string, p: AddParticipant): Promise<string>;
  updateParticipant(conferenceSid: string, callSid: string, change: ParticipantChange): Promise<void>;
  /** Takes a participant out of the conference (their call ends); the others stay. */
  removeParticipant(conferenceSid: string, callSid: string): Promise<void>;
}
