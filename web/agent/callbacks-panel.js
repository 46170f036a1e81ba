// The agent's slice of the callback backlog: their languages, most urgent first; claim, then call back.
import { announce, api, dateTime, el, label } from "/web/shared.js";
import { $, problem, state } from "./state.js";

export async function loadCallbacks() {
  if (!state.token) return;
  // Claimed items leave status=open; the agent still needs them to place the call.
  const res = await api(state.token, "GET", "/api/callbacks?status=open,claimed&limit=50");
  if (res.status !== 200) return $("callbacks").replaceChildren(el("p", { class: "muted" }, problem(res)));
  state.callbacks = res.body.items;
  renderCallbacks(res.body.total);
}

$("callbacks-refresh").addEventListener("click", loadCallbacks);
document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && loadCallbacks());

function renderCallbacks(total) {
  const items = state.callbacks;
  if (!items.length) return $("callbacks").replaceChildren(el("p", { class: "muted" }, "ไม่มีรายการ · Nothing to call back"));
  const list = el("ul", { class: "callback-list" }, items.map((item) =>
    el("li", { "data-callback-id": item.id, class: item.overdue ? "overdue" : "" },
      el("div", { class: "row" }, el("strong", {}, item.number), label("language", item.language),
        item.priority === "emergency" ? el("span", { class: "badge emergency" }, label("priority", "emergency")) : null),
      el("div", { class: "muted" }, `${label("reason", item.reason)} · ${item.missedCalls} ครั้ง · missed · โทรกลับแล้ว · attempts ${item.attempts}`),
      el("div", { class: "row spread" },
        item.overdue ? el("span", { class: "overdue-text" }, "เลยกำหนด · Overdue") : el("span", {}, `ครบกำหนด · Due ${dateTime(item.dueAt)}`),
        callbackAction(item)))));
  const more = total > items.length ? [el("p", { class: "muted" }, `แสดง ${items.length} จาก ${total} · Showing ${items.length} of ${total}`)] : [];
  $("callbacks").replaceChildren(list, ...more);
}

function callbackAction(item) {
  if (item.status === "open") return el("button", { type: "button", onclick: () => callbackRequest(item, "claim") }, "รับเรื่อง · Claim");
  if (item.claimedBy === state.me?.id) {
    return el("button", { type: "button", class: "primary", disabled: state.status !== "available", onclick: () => callbackRequest(item, "call") }, "โทรกลับ · Call back");
  }
  return el("span", { class: "muted" }, "มีผู้รับเรื่องแล้ว · Claimed by a colleague");
}

async function callbackRequest(item, action) {
  const res = await api(state.token, "POST", `/api/callbacks/${item.id}/${action}`);
  if (res.status >= 300) announce($("notice"), problem(res), "error");
  else if (action === "call") announce($("notice"), "กำลังโทรหาคุณก่อน แล้วจึงโทรหาผู้โทร · Ringing you first, then the caller");
  else announce($("notice"), "");
  loadCallbacks();
}
