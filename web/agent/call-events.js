// What each push about the agent's status and call means for the call on screen.
import { announce, label } from "/web/shared.js";
import { renderCall, startTimer, stopTimer } from "./call-card.js";
import { loadCallbacks } from "./callbacks-panel.js";
import { $, ACTIVE, state } from "./state.js";
import { renderStatus } from "./status-panel.js";
import { hideWrapUp, startWrapUp } from "./wrap-up.js";

const NOT_ANSWERED = "ไม่ได้รับสาย ระบบตั้งสถานะเป็นพัก · The call was not answered, so you are on break";
const HUNG_UP = "ผู้โทรวางสายก่อนรับสาย · The caller hung up before you answered";
/** A call-back that did not reach the caller: the retry schedule goes on, and the agent is free again. */
const CALL_BACK_ENDED = {
  callback_voicemail: "เครื่องตอบรับรับสาย ไม่ได้ฝากข้อความ ระบบจะโทรอีกครั้งตามกำหนด · A voicemail answered: no message was left; the next try follows the schedule",
  callback_no_answer: "ผู้โทรไม่รับสาย ระบบจะโทรอีกครั้งตามกำหนด · The caller did not answer; the next try follows the schedule",
  callback_busy: "สายไม่ว่าง ระบบจะโทรอีกครั้งตามกำหนด · The line was busy; the next try follows the schedule",
  callback_failed: "โทรออกไม่สำเร็จ ระบบจะโทรอีกครั้งตามกำหนด · The call could not be placed; the next try follows the schedule",
};

export function setStatus(status, reason, wrapUpLeftSeconds) {
  const before = state.status;
  state.status = status;
  // The server's count, not the page's: a reload mid-wrap-up counts on from where it was.
  state.wrapUpEndsAt = status === "wrap_up" && wrapUpLeftSeconds != null ? Date.now() + wrapUpLeftSeconds * 1000 : null;
  // Wrap-up (or any free status) means the conversation is over, even if no call.ended came for it.
  if (state.call?.phase === "connected" && status !== "on_call" && status !== "offered") endConversation(state.call);
  if (!ACTIVE.includes(status)) {
    // An offer that ends takes its screen-pop with it; whichever of agent.status / call.ended comes first says why.
    if (state.call?.phase === "offered") offerEnded(reason?.startsWith("missed_offer") || status === "break" ? NOT_ANSWERED : HUNG_UP);
    if (state.lostCall) startWrapUp(state.lostCall);
    state.lostCall = null;
  }
  renderStatus();
  renderCall();
  if (before !== status) loadCallbacks();
}

function offerEnded(message) {
  state.call = null;
  announce($("notice"), message, "error");
}

export function onOffered(pop) {
  const lost = state.lostCall?.pop.callSid === pop.callSid ? state.lostCall : undefined;
  if (lost) state.lostCall = null;
  if (state.call?.pop.callSid === pop.callSid) {
    state.call.pop = pop;
  } else if (state.status === "wrap_up") {
    // Reconnected during wrap-up: the call is over, only its form is left to fill in.
    state.call = { pop, phase: "ended" };
    startWrapUp(state.call);
  } else {
    state.call = { pop, phase: "offered", connectedAt: lost?.connectedAt };
    if (state.wrapUp?.saved) hideWrapUp();
    if (state.status === "offered") announce($("notice"), `สายเข้า · Incoming call — ${label("language", pop.language)}, ${label("topic", pop.topic)}`);
  }
  renderCall();
}

/** The screen-pop again after answering: the callback item reached, say. */
export function onUpdated(pop) {
  if (state.call?.pop.callSid !== pop.callSid) return;
  state.call.pop = pop;
  renderCall();
}

export function onConnected(m) {
  if (state.call?.pop.callSid === m.callSid) {
    state.call.phase = "connected";
    // After a dropped connection the page keeps its own start time unless the server tells it one.
    state.call.connectedAt = m.connectedSeconds != null ? Date.now() - m.connectedSeconds * 1000 : (state.call.connectedAt ?? Date.now());
    state.lostCall = null;
    announce($("notice"), "");
    startTimer();
    renderCall();
  }
}

export function onEnded(m) {
  const call = state.call;
  if (!call || call.pop.callSid !== m.callSid) return;
  if (call.phase === "offered") {
    offerEnded(CALL_BACK_ENDED[m.reason] ?? (m.reason === "offer.missed" ? NOT_ANSWERED : HUNG_UP));
  } else if (call.phase === "connected") {
    endConversation(call);
  }
  renderCall();
  loadCallbacks();
}

function endConversation(call) {
  call.phase = "ended";
  call.talkSeconds = Math.round((Date.now() - call.connectedAt) / 1000);
  stopTimer();
  startWrapUp(call);
}
