import type { CallControl, DispatchTimes } from "../queue/dispatcher.js";
import type { CarrierApi } from "./carrier-api.js";
import type { TwimlWriter } from "./twiml.js";

/** Routing's carrier moves, as Twilio REST requests with the webhook URLs that continue each leg. */
export function twilioCallControl(carrier: CarrierApi, twiml: TwimlWriter, hotlineNumber: string, times: DispatchTimes): CallControl {
  return {
    ringAgent: ({ entry, agent }) => {
      if (!agent.endpoint) return Promise.reject(new Error(`agent ${agent.id} has no phone endpoint`));
      return carrier.placeCall({
        to: agent.endpoint,
        from: hotlineNumber,
        url: twiml.url("/twilio/agent/answer", { entry: entry.id }),
        statusCallback: twiml.url("/twilio/status", { entry: entry.id }),
        timeoutSeconds: times.offerTimeoutSeconds,
      });
    },
    connectCaller: (callSid) => carrier.redirect(callSid, twiml.url("/twilio/queue/connect")),
    hangup: (callSid) => carrier.hangup(callSid),
  };
}
