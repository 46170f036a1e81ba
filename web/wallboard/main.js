// The wallboard: the live figures of the hotline for supervisors, pushed by the server as they change.
import { announce, api, constants, duration, el, label, liveSession, statusOrder } from "/web/shared.js";
import { setAgents, setUrgent, tickLists } from "./board-lists.js";
import { startStaffing, stopStaffing } from "./staffing.js";
import { addSample, loadHistory } from "./trend.js";
import { apiError } from "/web/errors.js";

const $ = (id) => document.getElementById(id);
const state = { token: null, live: null, stats: null, receivedAt: 0 };

// ---- sign-in ----
const { signOut } = liveSession({
  storageKey: "hotline.wallboard.token",
  onMessage,
  onStart: (token, live) => Object.assign(state, { token, live }),
  reset() {
    Object.assign(state, { token: null, live: null, stats: null });
    stopStaffing();
    $("board").hidden = true;
  },
});

function onMessage(m) {
  if (m.type === "hello") {
    if (m.user.role === "agent") return signOut("ต้องใช้รหัสหัวหน้างาน · The wallboard needs a supervisor token");
    $("sign-in").hidden = true;
    $("board").hidden = false;
    $("sign-out").hidden = false;
    // On every (re)connect: the trend from the server's records, so a new tab starts with the last 3 hours.
    loadHistory(state.token);
    startStaffing(state.token);
  } else if (m.type === "stats") {
    state.stats = m.stats;
    state.receivedAt = Date.now();
    render(m.stats);
    addSample(m.stats);
  } else if (m.type === "callbacks" && state.stats) {
    // The backlog has its own push (items turn overdue with time, not only with events).
    state.stats.callbacks = { open: m.open, overdue: m.overdue, oldestAgeSeconds: m.oldestAgeSeconds };
    state.receivedAt = Date.now();
    renderCallbacks(state.stats.callbacks);
  }
  if (m.type === "callbacks") setUrgent(m);
}

// ---- figures ----
function figure(name, value, text = value ?? "—") {
  for (const node of document.querySelectorAll(`[data-figure="${name}"]`)) {
    node.dataset.value = value ?? "";
    node.textContent = text;
  }
}

$("languages").replaceChildren(...constants.languages.map(({ code }) =>
  el("tr", { id: `lang-${code}` }, el("td", {}, label("language", code)), el("td", { class: "n", "data-figure": `waiting-${code}` }, "—"))));
$("agents").replaceChildren(...statusOrder.map((status) =>
  el("tr", { id: `agents-${status}` }, el("td", {}, label("status", status)), el("td", { class: "n", "data-figure": `agents-${status}` }, "—"))));

function render(s) {
  figure("lines-in-use", s.lines.inUse);
  figure("lines-capacity", s.lines.capacity);
  const share = s.lines.capacity ? Math.min(1, s.lines.inUse / s.lines.capacity) : 0;
  $("lines-bar").firstElementChild.style.width = `${Math.round(share * 100)}%`;
  $("lines-bar").classList.toggle("full", share >= 0.9);
  figure("waiting", s.queue.waiting);
  for (const { code } of constants.languages) {
    const n = s.queue.byLanguage[code] ?? 0;
    figure(`waiting-${code}`, n);
    $(`lang-${code}`).classList.toggle("zero", n === 0);
  }
  for (const status of statusOrder) {
    const n = s.agents[status] ?? 0;
    figure(`agents-${status}`, n);
    $(`agents-${status}`).classList.toggle("zero", n === 0);
  }
  const t = s.today;
  figure("offered", t.offered);
  figure("answered", t.answered);
  figure("abandoned", t.abandoned);
  figure("overflow", t.overflow);
  figure("service-level", t.serviceLevel, t.serviceLevel == null ? "—" : `${Math.round(t.serviceLevel * 100)}%`);
  figure("asa", t.averageSpeedOfAnswerSeconds, duration(t.averageSpeedOfAnswerSeconds));
  renderCallbacks(s.callbacks);
  renderReferrals(s.referrals);
  setAgents(s.onDuty);
  if (document.activeElement !== $("capacity")) $("capacity").value = s.lines.capacity;
  $("updated").textContent = `อัปเดต · Updated ${new Date().toLocaleTimeString("en-GB")}`;
  tick();
}

function renderCallbacks(c) {
  figure("callbacks-open", c.open);
  figure("callbacks-overdue", c.overdue);
  document.querySelector('[data-figure="callbacks-overdue"]').classList.toggle("alert", c.overdue > 0);
  tick();
}

/** Overdue referrals are what the ministry's escalation center chases: they stand out. */
function renderReferrals(r) {
  figure("referrals-open", r.open);
  figure("referrals-overdue", r.overdue);
  document.querySelector('[data-figure="referrals-overdue"]').classList.toggle("warn", r.overdue > 0);
}

/** Pushes come with events; between them the waits keep growing, so the page ages them itself. */
function tick() {
  const s = state.stats;
  if (!s) return;
  const since = (Date.now() - state.receivedAt) / 1000;
  const longest = s.queue.waiting > 0 ? s.queue.longestWaitSeconds + since : 0;
  figure("longest-wait", Math.round(longest), s.queue.waiting > 0 ? duration(longest) : "—");
  document.querySelector('[data-figure="longest-wait"]').classList.toggle("warn", longest >= 60);
  const oldest = s.callbacks.open > 0 ? s.callbacks.oldestAgeSeconds + since : 0;
  figure("callbacks-oldest", Math.round(oldest), s.callbacks.open > 0 ? duration(oldest) : "—");
  tickLists();
}
setInterval(tick, 1000);

// ---- line capacity ----
$("capacity-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const lines = Number($("capacity").value);
  const res = await api(state.token, "PUT", "/api/settings/lines", { lines });
  if (res.status === 200) announce($("capacity-notice"), `ตั้งเป็น ${res.body.capacity} คู่สายแล้ว · Capacity set to ${res.body.capacity}`);
  else announce($("capacity-notice"), apiError(res), "error");
  $("capacity").blur();
});
