import type { CallControl, DispatchTimes } from "../queue/dispatcher.js";
import type { CarrierApi } from "./carrier-api.js";
import type { TwimlWriter } from "./twiml.js";

/** Routing's carrier moves, as Twilio REST requests with the webhook URLs that continue each leg. */
export function twilioCallControl(carrier: CarrierApi, twiml: TwimlWriter, hotlineNumber: string, times: DispatchTimes): CallControl {
  return {
    ringAgent: ({ entryId, endpoint, agentId }) => {
      if (!endpoint) return Promise.reject(new Error(`agent ${agentId} has no phone endpoint`));
      return carrier.placeCall({
        to: endpoint,
        from: hotlineNumber,
        url: twiml.url("/twilio/agent/answer", { entry: entryId }),
        statusCallback: twiml.url("/twilio/status", { entry: entryId }),
        timeoutSeconds: times.offerTimeoutSeconds,
      });
    },
    dialCaller: (entryId, number) =>
      carrier.placeCall({
        to: number,
        from: hotlineNumber,
        url: twiml.url("/twilio/callback/answer", { entry: entryId }),
        statusCallback: twiml.url("/twilio/status", { entry: entryId, leg: "caller" }),
        // Long enough for someone to find their phone, short of most voicemail pick-ups.
        timeoutSeconds: 30,
        // Voicemail that picks up anyway is recognised: it is a voicemail attempt, and hears nothing.
        machineDetection: true,
      }),
    connectCaller: (callSid) => carrier.redirect(callSid, twiml.url("/twilio/queue/connect")),
    returnToQueue: (callSid) => carrier.redirect(callSid, twiml.url("/twilio/queue/wait")),
    hangup: (callSid) => carrier.hangup(callSid),
  };
}
