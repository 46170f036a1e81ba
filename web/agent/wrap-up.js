// The wrap-up form: the outcome and topic of the call that just ended, sent as a disposition message.
import { announce, constants, duration, el, label } from "/web/shared.js";
import { $, state } from "./state.js";
import { handedOver } from "./work.js";

$("outcome").replaceChildren(el("option", { value: "" }, "— เลือก · choose —"), ...constants.outcomes.map((o) => el("option", { value: o }, label("outcome", o))));
$("topic").replaceChildren(...constants.topics.map((t) => el("option", { value: t }, label("topic", t))));

export function startWrapUp(call) {
  if (state.wrapUp?.callSid === call.pop.callSid) return;
  const p = call.pop;
  state.wrapUp = { callSid: p.callSid, saving: false, saved: false, ready: false };
  $("wrap-up-form").reset();
  $("topic").value = p.topic ?? "other";
  $("wrap-up-summary").textContent = `${p.from === "withheld" ? "ไม่แสดงหมายเลข · Withheld" : p.from} · ${label("language", p.language)}` +
    (call.talkSeconds != null ? ` · เวลาสนทนา · talk time ${duration(call.talkSeconds)}` : "");
  $("wrap-up").dataset.state = "editing";
  $("wrap-up").dataset.callSid = p.callSid;
  $("wrap-up").hidden = false;
  // Handed to an agency during the call: the outcome is almost certainly "referred"; the agent confirms it.
  if (handedOver(p.callSid)) $("outcome").value = "referred";
  $("outcome").focus();
}

/** Counts down to the server's end of the wrap-up; past it the server has made the agent available. */
function renderCountdown() {
  const node = $("wrap-up-countdown");
  const endsAt = state.status === "wrap_up" ? state.wrapUpEndsAt : null;
  node.hidden = endsAt == null;
  if (endsAt == null) return;
  const left = Math.max(0, Math.ceil((endsAt - Date.now()) / 1000));
  node.dataset.left = String(left);
  node.textContent = `พร้อมรับสายอัตโนมัติใน ${duration(left)} · Available again automatically in ${duration(left)}`;
}
setInterval(renderCountdown, 1000);
export { renderCountdown };

export function hideWrapUp() {
  state.wrapUp = null;
  $("wrap-up").hidden = true;
}

export function wrapUpSaved() {
  state.wrapUp.saving = false;
  state.wrapUp.saved = true;
  $("wrap-up").dataset.state = "saved";
  if (state.wrapUp.ready && state.status === "wrap_up") state.live?.send({ type: "status", status: "available" });
}

/** The server refused the disposition (its error message says why): the form is editable again. */
export function wrapUpRefused() {
  state.wrapUp.saving = false;
  $("wrap-up").dataset.state = "editing";
}

$("wrap-up-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const w = state.wrapUp;
  if (!w || w.saving) return;
  const note = $("note").value.trim();
  const sent = state.live?.send({ type: "disposition", callSid: w.callSid, outcome: $("outcome").value, topic: $("topic").value, ...(note ? { note } : {}) });
  if (!sent) return announce($("notice"), "ยังไม่ได้เชื่อมต่อ ลองอีกครั้ง · Not connected — please try again", "error");
  w.saving = true;
  w.ready = event.submitter?.value === "ready";
  $("wrap-up").dataset.state = "saving";
});
