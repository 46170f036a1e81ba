import type { SimCall } from "../sim-call.js";
import type { ConferenceRoom } from "../conference/conference-room.js";
import type { Participant } from "../conference/participant.js";
import { rfc2822 } from "../sids.js";
import type { IncomingNumber } from "../phone-numbers.js";

export const API_VERSION = "2010-04-01";
const date = (ms: number | undefined) => (ms === undefined ? null : rfc2822(ms));

export function accountPath(accountSid: string): string {
  return `/${API_VERSION}/Accounts/${accountSid}`;
}

/** Twilio's Call resource. duration is empty for unanswered and ongoing calls. */
export function callJson(call: SimCall, accountSid: string): Record<string, unknown> {
  const base = `${accountPath(accountSid)}/Calls/${call.sid}`;
  const sub = ["Notifications", "Recordings", "Payments", "Events", "Siprec", "Streams", "Transcriptions", "UserDefinedMessageSubscriptions", "UserDefinedMessages"];
  return {
    sid: call.sid,
    date_created: date(call.createdAt),
    date_updated: date(call.endedAt ?? call.answeredAt ?? call.startedAt ?? call.createdAt),
    parent_call_sid: call.parentCallSid ?? null,
    account_sid: accountSid,
    to: call.to,
    to_formatted: call.to,
    from: call.from,
    from_formatted: call.from,
    phone_number_sid: null,
    status: call.status,
    start_time: date(call.startedAt),
    end_time: date(call.endedAt),
    duration: call.status === "completed" ? String(call.durationSeconds(call.endedAt ?? 0)) : null,
    price: null,
    price_unit: "USD",
    direction: call.direction,
    answered_by: null,
    annotation: null,
    api_version: API_VERSION,
    forwarded_from: null,
    group_sid: null,
    caller_name: null,
    queue_time: "0",
    trunk_sid: null,
    uri: `${base}.json`,
    subresource_uris: Object.fromEntries(sub.map((s) => [s.charAt(0).toLowerCase() + s.slice(1).replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), `${base}/${s}.json`])),
  };
}

export function conferenceJson(room: ConferenceRoom, accountSid: string): Record<string, unknown> {
  const base = `${accountPath(accountSid)}/Conferences/${room.sid}`;
  return {
    account_sid: accountSid,
    date_created: date(room.dateCreated),
    date_updated: date(room.dateUpdated),
    api_version: API_VERSION,
    friendly_name: room.friendlyName,
    region: "us1",
    sid: room.sid,
    status: room.status,
    uri: `${base}.json`,
    subresource_uris: { participants: `${base}/Participants.json`, recordings: `${base}/Recordings.json` },
    reason_conference_ended: room.reasonEnded ?? null,
    call_sid_ending_conference: room.callSidEnding ?? null,
  };
}

export interface ParticipantView {
  callSid: string;
  conferenceSid: string;
  label?: string;
  muted: boolean;
  hold: boolean;
  coaching: boolean;
  callSidToCoach?: string;
  startConferenceOnEnter: boolean;
  endConferenceOnExit: boolean;
  status: "queued" | "connecting" | "ringing" | "connected" | "complete" | "failed";
  created: number;
  updated: number;
}

export function participantView(p: Participant, room: ConferenceRoom): ParticipantView {
  return {
    callSid: p.call.sid,
    conferenceSid: room.sid,
    label: p.options.label,
    muted: p.options.muted,
    hold: p.hold,
    coaching: p.coaching,
    callSidToCoach: p.callSidToCoach,
    startConferenceOnEnter: p.options.startConferenceOnEnter,
    endConferenceOnExit: p.options.endConferenceOnExit,
    status: "connected",
    created: p.joinedAt,
    updated: p.updatedAt,
  };
}

export function participantJson(v: ParticipantView, accountSid: string): Record<string, unknown> {
  return {
    account_sid: accountSid,
    call_sid: v.callSid,
    label: v.label ?? null,
    call_sid_to_coach: v.callSidToCoach ?? null,
    coaching: v.coaching,
    conference_sid: v.conferenceSid,
    date_created: date(v.created),
    date_updated: date(v.updated),
    end_conference_on_exit: v.endConferenceOnExit,
    muted: v.muted,
    hold: v.hold,
    start_conference_on_enter: v.startConferenceOnEnter,
    status: v.status,
    queue_time: "0",
    uri: `${accountPath(accountSid)}/Conferences/${v.conferenceSid}/Participants/${v.callSid}.json`,
  };
}

/** A list page with Twilio's paging fields; next_page_uri is null on the last page. */
export function pageJson<T>(key: string, items: T[], path: string, query: Record<string, string>, toJson: (item: T) => unknown): Record<string, unknown> {
  const pageSize = Math.min(Math.max(Number(query.PageSize ?? 50) || 50, 1), 1000);
  const page = Math.max(Number(query.Page ?? 0) || 0, 0);
  const start = page * pageSize;
  const slice = items.slice(start, start + pageSize);
  const uriFor = (p: number) => `${path}?${new URLSearchParams({ ...query, PageSize: String(pageSize), Page: String(p) }).toString()}`;
  return {
    [key]: slice.map(toJson),
    first_page_uri: uriFor(0),
    end: start + Math.max(slice.length - 1, 0),
    previous_page_uri: page > 0 ? uriFor(page - 1) : null,
    next_page_uri: start + pageSize < items.length ? uriFor(page + 1) : null,
    uri: uriFor(page),
    page_size: pageSize,
    start,
    page,
  };
}

/** Twilio's IncomingPhoneNumber resource: a voice-only local number of this account. */
export function incomingNumberJson(n: IncomingNumber, accountSid: string): Record<string, unknown> {
  return {
    account_sid: accountSid,
    address_sid: null,
    address_requirements: "none",
    api_version: API_VERSION,
    beta: false,
    capabilities: { voice: true, sms: false, mms: false, fax: false },
    date_created: date(n.dateCreated),
    date_updated: date(n.dateUpdated),
    friendly_name: n.friendlyName,
    identity_sid: null,
    phone_number: n.phoneNumber,
    origin: "twilio",
    sid: n.sid,
    sms_application_sid: "",
    sms_fallback_method: "POST",
    sms_fallback_url: "",
    sms_method: "POST",
    sms_url: "",
    status_callback: n.statusCallback,
    status_callback_method: n.statusCallbackMethod,
    trunk_sid: null,
    uri: `${accountPath(accountSid)}/IncomingPhoneNumbers/${n.sid}.json`,
    voice_receive_mode: "voice",
    voice_application_sid: "",
    voice_caller_id_lookup: false,
    voice_fallback_method: n.voiceFallbackMethod,
    voice_fallback_url: n.voiceFallbackUrl,
    voice_method: n.voiceMethod,
    voice_url: n.voiceUrl,
    emergency_status: "Inactive",
    emergency_address_sid: null,
    emergency_address_status: "unregistered",
    bundle_sid: null,
    status: "in-use",
    type: "local",
  };
}
