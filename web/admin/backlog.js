// The callback backlog as a list: filters, a search by the number's last digits, handing an item to an
// agent who speaks the caller's language, and the CSV export of what is shown.
import { announce, api, constants, dateTime, el, label, statusOrder } from "/web/shared.js";
import { problemText } from "./errors.js";
import { $, download, state } from "./state.js";

const STATUSES = ["open", "claimed", "reached", "unreachable", "not_callable"];
const REASONS = ["overflow", "abandoned_ivr", "abandoned_queue", "abandoned_ringing", "requested", "no_answer", "outage"];
const LIMIT = 100;

$("f-status").replaceChildren(
  el("option", { value: "open,claimed" }, "ยังต้องโทร · Still to call (open, claimed)"),
  ...STATUSES.map((s) => el("option", { value: s }, label("callbackStatus", s))),
  el("option", { value: "" }, "ทั้งหมด · All"),
);
$("f-language").replaceChildren(el("option", { value: "" }, "ทุกภาษา · Any"), ...constants.languages.map(({ code }) => el("option", { value: code }, label("language", code))));
$("f-reason").replaceChildren(el("option", { value: "" }, "ทุกสาเหตุ · Any"), ...REASONS.map((r) => el("option", { value: r }, label("reason", r))));

function query() {
  const params = new URLSearchParams();
  const add = (key, value) => value && params.set(key, value);
  add("status", $("f-status").value);
  add("language", $("f-language").value);
  add("reason", $("f-reason").value);
  add("overdue", $("f-overdue").value);
  add("digits", $("f-digits").value.trim());
  return params;
}

export async function loadBacklog() {
  const digits = $("f-digits").value.trim();
  if (digits && !/^\d{2,15}$/.test(digits)) return announce($("backlog-notice"), "เลขท้ายต้องเป็นตัวเลข 2–15 หลัก · The last digits must be 2 to 15 digits", "error");
  const params = query();
  params.set("limit", String(LIMIT));
  const [list, agents] = await Promise.all([api(state.token, "GET", `/api/callbacks?${params}`), api(state.token, "GET", "/api/agents")]);
  if (list.status !== 200) return announce($("backlog-notice"), problemText(list), "error");
  if (agents.status === 200) state.agents = agents.body.filter((a) => a.active);
  render(list.body);
}

const agentName = (id) => state.agents.find((a) => a.id === id)?.name ?? id;

function render({ items, total }) {
  $("backlog-count").textContent = items.length < total
    ? `แสดง ${items.length} จาก ${total} รายการ ด่วนที่สุดก่อน · Showing ${items.length} of ${total}, most urgent first`
    : `${total} รายการ ด่วนที่สุดก่อน · ${total} items, most urgent first`;
  $("backlog").replaceChildren(...items.map((item) =>
    el("tr", { "data-callback-id": item.id, class: item.overdue ? "overdue" : "" },
      el("td", {}, el("strong", { class: "num" }, item.number), item.priority === "emergency" ? el("div", {}, el("span", { class: "pill off" }, label("priority", "emergency"))) : null),
      el("td", {}, label("language", item.language)),
      el("td", {}, label("reason", item.reason)),
      el("td", { class: "num" }, item.missedCalls),
      el("td", {}, dateTime(item.firstMissedAt)),
      el("td", {}, item.overdue ? el("span", { class: "overdue-text" }, `เลยกำหนด · Overdue (${dateTime(item.dueAt)})`) : dateTime(item.dueAt)),
      el("td", {}, label("callbackStatus", item.status), item.claimedBy ? el("div", { class: "muted" }, agentName(item.claimedBy)) : null),
      el("td", { class: "actions" }, handOver(item)))));
}

/** Only open items can be handed over, and only to active agents who speak the caller's language. */
function handOver(item) {
  if (item.status !== "open") return "";
  const speakers = state.agents
    .filter((a) => item.language === null || a.languages.includes(item.language))
    .sort((a, b) => statusOrder.indexOf(a.status) - statusOrder.indexOf(b.status) || a.name.localeCompare(b.name));
  if (!speakers.length) return el("span", { class: "muted" }, "ไม่มีเจ้าหน้าที่ที่พูดภาษานี้ · No agent speaks this language");
  const select = el("select", { "aria-label": `มอบรายการ ${item.id} ให้ · Hand item ${item.id} to` },
    speakers.map((a) => el("option", { value: a.id }, `${a.name} — ${label("status", a.status)}`)));
  return [select, " ", el("button", { type: "button", class: "small", onclick: () => assign(item, select.value) }, "มอบให้ · Hand over")];
}

async function assign(item, agentId) {
  const res = await api(state.token, "POST", `/api/callbacks/${item.id}/assign`, { agentId });
  if (res.status !== 200) return announce($("backlog-notice"), problemText(res), "error");
  announce($("backlog-notice"), `มอบรายการ ${item.number} ให้ ${agentName(agentId)} แล้ว · ${item.number} handed to ${agentName(agentId)}`);
  loadBacklog();
}

$("backlog-filters").addEventListener("submit", (event) => {
  event.preventDefault();
  announce($("backlog-notice"), "");
  loadBacklog();
});
for (const id of ["f-status", "f-language", "f-reason", "f-overdue"]) $(id).addEventListener("change", () => loadBacklog());

$("backlog-export").addEventListener("click", async () => {
  const res = await download(`/api/callbacks.csv?${query()}`, "callbacks.csv");
  if (res.status !== 200) announce($("backlog-notice"), problemText(res), "error");
});
