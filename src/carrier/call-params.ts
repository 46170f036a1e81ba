import type { SimCall } from "./sim-call.js";

/**
 * The parameters Twilio sends with every voice request about a call. Caller/Called mirror From/To;
 * ForwardedFrom, CallerName and the geographic fields are omitted because the simulator has none.
 */
export function callParams(call: SimCall, accountSid: string): Record<string, string> {
  const params: Record<string, string> = {
    AccountSid: accountSid,
    ApiVersion: "2010-04-01",
    CallSid: call.sid,
    CallStatus: call.status,
    Called: call.to,
    Caller: call.from,
    Direction: call.direction,
    From: call.from,
    To: call.to,
  };
  if (call.parentCallSid) params.ParentCallSid = call.parentCallSid;
  return params;
}
