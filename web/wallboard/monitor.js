// Listen in: a supervisor listens to a live call, whispers to its agent (the caller does not hear), or
// barges in, from the wallboard. The hotline rings the supervisor's phone into the caller's conference;
// the agent is always told (see web/agent/call-controls.js). Its own module, beside the board's main.js.
import { api, el } from "/web/shared.js";
import { apiError } from "/web/errors.js";

const $ = (id) => document.getElementById(id);
const TOKEN_KEY = "hotline.wallboard.token";
const PHONE_KEY = "hotline.wallboard.phone";
const REFRESH_MS = 5000;
const MODES = {
  listen: "ฟัง · Listen",
  whisper: "กระซิบถึงเจ้าหน้าที่ · Whisper to agent",
  barge: "ร่วมสนทนา · Barge in",
};

/** The calls on screen and the one this supervisor is on, if any. */
const view = { agents: [], active: null, busy: false, error: "" };

const token = () => sessionStorage.getItem(TOKEN_KEY);

$("monitor-phone").value = localStorage.getItem(PHONE_KEY) ?? "";
$("monitor-phone").addEventListener("change", () => localStorage.setItem(PHONE_KEY, $("monitor-phone").value.trim()));
$("monitor-refresh").addEventListener("click", () => refresh());

export async function refresh() {
  if (!token() || $("board").hidden) return;
  const res = await api(token(), "GET", "/api/agents");
  if (res.status !== 200) return show(apiError(res));
  view.agents = res.body.filter((a) => a.status === "on_call" && a.currentCallSid);
  // The call ended while listening: the hotline has hung up the supervisor's leg with it.
  if (view.active && !view.agents.some((a) => a.currentCallSid === view.active.callSid)) view.active = null;
  render();
}

function show(error) {
  view.error = error;
  render();
}

async function choose(callSid, mode) {
  if (view.busy) return;
  view.busy = true;
  view.error = "";
  render();
  const a = view.active;
  let res;
  if (a?.callSid === callSid) {
    res = await api(token(), "PATCH", `/api/calls/${encodeURIComponent(callSid)}/monitor/${encodeURIComponent(a.id)}`, { mode });
    if (res.status === 200) a.mode = mode;
  } else {
    if (a) await stop();
    const phone = $("monitor-phone").value.trim();
    res = await api(token(), "POST", `/api/calls/${encodeURIComponent(callSid)}/monitor`, { mode, ...(phone ? { endpoint: phone } : {}) });
    if (res.status === 201) view.active = { callSid, id: res.body.id, mode };
  }
  view.busy = false;
  view.error = res.status >= 300 ? apiError(res) : "";
  render();
}

async function stop() {
  const a = view.active;
  if (!a) return;
  const res = await api(token(), "DELETE", `/api/calls/${encodeURIComponent(a.callSid)}/monitor/${encodeURIComponent(a.id)}`);
  view.active = null;
  view.error = res.status === 204 || res.body?.error === "monitor_not_found" ? "" : apiError(res);
  render();
}

function render() {
  const rows = view.agents.map((agent) => {
    const on = view.active?.callSid === agent.currentCallSid ? view.active : null;
    return el("tr", { "data-monitor-call": agent.currentCallSid, "data-mode": on?.mode ?? "" },
      el("td", {}, agent.name),
      el("td", { class: "row" },
        Object.entries(MODES).map(([mode, text]) =>
          el("button", { type: "button", "data-mode": mode, "aria-pressed": String(on?.mode === mode), disabled: view.busy, onclick: () => choose(agent.currentCallSid, mode) }, text)),
        on ? el("button", { type: "button", "data-stop": "", disabled: view.busy, onclick: () => { view.busy = false; stop(); } }, "หยุด · Stop") : null));
  });
  $("monitor-calls").replaceChildren(...(rows.length ? rows : [el("tr", { class: "zero" }, el("td", {}, "ไม่มีสายที่กำลังสนทนา · No call in progress"))]));
  $("monitor-error").textContent = view.error;
  $("monitor-error").hidden = !view.error;
  $("monitor-active").textContent = view.active
    ? `คุณกำลัง${MODES[view.active.mode].split(" · ")[0]} · You are on a call: ${MODES[view.active.mode].split(" · ")[1]}` : "";
}

setInterval(refresh, REFRESH_MS);
// Signed in (or the board shown after a reload): load at once rather than at the next tick.
new MutationObserver(() => refresh()).observe($("board"), { attributes: true, attributeFilter: ["hidden"] });
