// Hold, mute and hang up the call on screen, through the server (so they work for browser, SIP and mobile
// phones alike), and who of the supervisors is listening in: the agent is always told.
import { announce, api, el } from "/web/shared.js";
import { apiError } from "/web/errors.js";
import { browserPhoneTalking, onPhoneChange } from "./phone.js";
import { $, state } from "./state.js";

/** What the server says of the call on screen: caller on hold, agent muted, a supervisor's mode. */
export const controls = { callSid: null, held: false, muted: false, busy: false, monitor: null };

const MONITOR = {
  listen: "หัวหน้างาน {by} กำลังฟังสายนี้ · Supervisor {by} is listening to this call",
  whisper: "หัวหน้างาน {by} กำลังพูดแนะนำคุณ (ผู้โทรไม่ได้ยิน) · Supervisor {by} is coaching you (the caller cannot hear)",
  barge: "หัวหน้างาน {by} เข้าร่วมสนทนา ผู้โทรได้ยิน · Supervisor {by} has joined the call: the caller hears them",
  ended: "หัวหน้างาน {by} ออกจากสายแล้ว · Supervisor {by} has left the call",
};

function forCall(callSid) {
  if (controls.callSid !== callSid) Object.assign(controls, { callSid, held: false, muted: false, busy: false, monitor: null });
}

export function onControl(m) {
  forCall(m.callSid);
  Object.assign(controls, { held: m.held, muted: m.muted });
  renderControls();
}

export function onMonitored(m) {
  forCall(m.callSid);
  controls.monitor = { mode: m.mode, by: m.by };
  renderControls();
}

/**
 * The buttons and the monitoring notice, inside the screen-pop of a connected call. Hold is always the
 * server's (the caller hears the hold prompt); mute and hang up too, unless this browser's own phone is
 * on the call, which has its own buttons for them (web/agent/phone.js).
 */
export function controlsFor(call) {
  if (call.phase !== "connected") return null;
  forCall(call.pop.callSid);
  const own = browserPhoneTalking();
  return el("div", { id: "call-controls" },
    el("p", { class: "row" },
      el("button", { type: "button", id: "hold", "aria-pressed": String(controls.held), onclick: () => act("hold", { hold: !controls.held }) },
        controls.held ? "รับสายต่อ · Resume" : "พักสาย · Hold"),
      own ? null : el("button", { type: "button", id: "mute", "aria-pressed": String(controls.muted), onclick: () => act("mute", { muted: !controls.muted }) },
        controls.muted ? "เปิดไมค์ · Unmute" : "ปิดไมค์ · Mute"),
      own ? null : el("button", { type: "button", id: "hangup", class: "danger", onclick: () => act("hangup") }, "วางสาย · Hang up")),
    controls.held ? el("p", { class: "muted", "data-field": "held" }, "ผู้โทรกำลังรอสายและได้ยินข้อความให้รอ · The caller is on hold, hearing the hold message") : null,
    controls.monitor ? el("p", { class: "notice", id: "monitored", "data-mode": controls.monitor.mode }, MONITOR[controls.monitor.mode].replaceAll("{by}", controls.monitor.by)) : null,
    el("p", { id: "call-error", class: "notice", "data-tone": "error", role: "alert", hidden: true }));
}

function renderControls() {
  const node = $("call-controls");
  const call = state.call;
  if (!node || !call || call.pop.callSid !== controls.callSid) return;
  const fresh = controlsFor(call);
  if (!fresh) return node.remove();
  const error = node.querySelector("#call-error");
  node.replaceWith(fresh);
  // A refusal stays on screen until the next action: re-rendering for a push must not hide it.
  if (error && !error.hidden) announce(fresh.querySelector("#call-error"), error.textContent, "error");
  for (const b of fresh.querySelectorAll("button")) b.disabled = controls.busy;
}

onPhoneChange(() => renderControls());

async function act(action, body) {
  const callSid = controls.callSid;
  if (!callSid || controls.busy) return;
  controls.busy = true;
  renderControls();
  announce($("call-error"), "");
  const res = await api(state.token, "POST", `/api/calls/${encodeURIComponent(callSid)}/${action}`, body);
  controls.busy = false;
  if (res.status === 200 && action === "hold") controls.held = res.body.hold;
  if (res.status === 200 && action === "mute") controls.muted = res.body.muted;
  renderControls();
  if (res.status !== 200) announce($("call-error"), apiError(res), "error");
}
