import twilio from "twilio";
import type RequestClient from "twilio/lib/base/RequestClient.js";
import type { CarrierApi, PlaceCall } from "./carrier-api.js";

const TWILIO_API_ORIGIN = "https://api.twilio.com";
const FINAL = new Set(["completed", "busy", "failed", "no-answer", "canceled"]);

/** The official client's transport, sent to TWILIO_API_BASE_URL so a local carrier can stand in. */
class BaseUrlRequestClient extends twilio.RequestClient {
  constructor(private readonly origin: string, timeoutMs: number) {
    super({ timeout: timeoutMs, keepAlive: true });
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    const uri = opts.uri.startsWith(TWILIO_API_ORIGIN) ? this.origin + opts.uri.slice(TWILIO_API_ORIGIN.length) : opts.uri;
    return super.request<TData>({ ...opts, uri });
  }
}

export interface TwilioAccess {
  accountSid: string;
  authToken: string;
  apiBaseUrl: string;
  timeoutMs?: number;
}

/** The official client for an account, its REST requests sent to TWILIO_API_BASE_URL. */
export function twilioClient(opts: TwilioAccess): twilio.Twilio {
  const origin = opts.apiBaseUrl.replace(/\/+$/, "");
  // A request that takes longer than this is retried by the task runner; webhooks never wait for it.
  const httpClient = new BaseUrlRequestClient(origin, opts.timeoutMs ?? 10_000);
  return twilio(opts.accountSid, opts.authToken, { httpClient });
}

/**
 * Where a RecordingUrl's audio is fetched: Twilio's API origin becomes TWILIO_API_BASE_URL, and any other
 * origin is refused, so the account's credentials never go anywhere a forged URL points.
 */
export function recordingMediaUrl(recordingUrl: string, apiBaseUrl: string): string {
  const origin = apiBaseUrl.replace(/\/+$/, "");
  const url = new URL(recordingUrl);
  const path = url.pathname.replace(/\.(wav|mp3|json)$/, "");
  if (!/^\/2010-04-01\/Accounts\/AC[0-9a-fA-F]{32}\/Recordings\/RE[0-9a-fA-F]{32}$/.test(path)) throw new Error("not a recording URL of the Twilio API");
  if (url.origin !== TWILIO_API_ORIGIN && url.origin !== new URL(origin).origin) throw new Error(`recording URL is not on the Twilio API (${url.origin})`);
  return `${origin}${path}.wav`;
}

export function twilioCarrier(opts: TwilioAccess): CarrierApi {
  const client = twilioClient(opts);
  const basicAuth = `Basic ${Buffer.from(`${opts.accountSid}:${opts.authToken}`).toString("base64")}`;

  return {
    async placeCall(call: PlaceCall) {
      const created = await client.calls.create({
        to: call.to,
        from: call.from,
        url: call.url,
        method: "POST",
        statusCallback: call.statusCallback,
        statusCallbackMethod: "POST",
        statusCallbackEvent: ["initiated", "ringing", "answered", "completed"],
        timeout: call.timeoutSeconds,
        ...(call.machineDetection ? { machineDetection: "Enable" } : {}),
      });
      return created.sid;
    },
    async fetchRecording(recordingUrl) {
      // The official client reads answers as text; a recording is bytes, so it is fetched directly.
      const res = await fetch(recordingMediaUrl(recordingUrl, opts.apiBaseUrl), {
        headers: { authorization: basicAuth, accept: "audio/x-wav" },
        signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
      });
      if (!res.ok) throw new Error(`fetching a recording answered ${res.status}`);
      return Buffer.from(await res.arrayBuffer());
    },
    async sendText(text) {
      const sent = await client.messages.create({ to: text.to, from: text.from, body: text.body, statusCallback: text.statusCallback });
      return sent.sid;
    },
    async redirect(callSid, url) {
      await client.calls(callSid).update({ url, method: "POST" });
    },
    async hangup(callSid) {
      const call = await client.calls(callSid).fetch();
      if (FINAL.has(call.status)) return;
      // Twilio: "canceled" ends a call that is still queued or ringing, "completed" one in progress.
      const status = call.status === "in-progress" ? "completed" : "canceled";
      await client.calls(callSid).update({ status });
    },
    async finalStatus(callSid) {
      try {
        const call = await client.calls(callSid).fetch();
        return FINAL.has(call.status) ? call.status : undefined;
      } catch (err) {
        // The carrier has no record of it: it never really existed there, so it is over.
        if ((err as { status?: number }).status === 404) return "failed";
        throw err;
      }
    },
    async conferenceSid(name) {
      const [live] = await client.conferences.list({ friendlyName: name, status: "in-progress", limit: 1 });
      return live?.sid;
    },
    async conferenceLegs(conferenceSid) {
      return (await client.conferences(conferenceSid).participants.list({ limit: 100 })).map((p) => p.callSid);
    },
    async addParticipant(conferenceSid, p) {
      const created = await client.conferences(conferenceSid).participants.create({
        from: p.from,
        to: p.to,
        statusCallback: p.statusCallback,
        statusCallbackMethod: "POST",
        statusCallbackEvent: ["initiated", "ringing", "answered", "completed"],
        timeout: p.timeoutSeconds,
        endConferenceOnExit: p.endConferenceOnExit,
        startConferenceOnEnter: true,
        beep: "false",
        ...(p.muted === undefined ? {} : { muted: p.muted }),
        ...(p.coach === undefined ? {} : { coaching: true, callSidToCoach: p.coach }),
      });
      return created.callSid;
    },
    async updateParticipant(conferenceSid, callSid, change) {
      await client.conferences(conferenceSid).participants(callSid).update({
        ...(change.hold === undefined ? {} : { hold: change.hold }),
        ...(change.holdUrl === undefined ? {} : { holdUrl: change.holdUrl, holdMethod: "POST" }),
        ...(change.endConferenceOnExit === undefined ? {} : { endConferenceOnExit: change.endConferenceOnExit }),
        ...(change.muted === undefined ? {} : { muted: change.muted }),
        ...(change.coach === undefined ? {} : change.coach === null ? { coaching: false } : { coaching: true, callSidToCoach: change.coach }),
      });
    },
    async removeParticipant(conferenceSid, callSid) {
      await client.conferences(conferenceSid).participants(callSid).remove();
    },
    async inboundCallsSince(number, since) {
      // Twilio may read StartTime> by the day only: its answer is narrowed here to the millisecond.
      const listed = await client.calls.list({ to: number, startTimeAfter: new Date(since), pageSize: 1000 });
      return listed
        .filter((c) => c.direction === "inbound" && (c.startTime ?? c.dateCreated).getTime() >= since)
        .map((c) => ({ sid: c.sid, from: c.from, to: c.to, status: c.status, startedAt: (c.startTime ?? c.dateCreated).getTime(), endedAt: c.endTime?.getTime() }));
    },
    async liveCallSids() {
      const sids = new Set<string>();
      for (const status of ["queued", "ringing", "in-progress"] as const) {
        for (const call of await client.calls.list({ status, pageSize: 1000 })) sids.add(call.sid);
      }
      return sids;
    },
  };
}
