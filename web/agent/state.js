// What the agent desktop knows, shared by its modules; each module renders its own part of the page.

export const $ = (id) => document.getElementById(id);
export const state = { token: null, live: null, me: null, status: "offline", call: null, lostCall: null, wrapUp: null, callbacks: [], wrapUpSeconds: null, wrapUpEndsAt: null };
export const ACTIVE = ["offered", "on_call", "wrap_up"];

/** The case, its referral and the transfer of the call on screen (see work.js). */
export const work = { callSid: null, case: null, suggestion: null, agencies: [], transfer: null, referTouched: false, transferTouched: false, saving: false, acting: false, resync: false };

/** An API refusal in both languages (web/errors.js). */
export { apiError as problem } from "/web/errors.js";
