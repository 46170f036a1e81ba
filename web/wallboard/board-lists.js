// The wallboard's lists: agents on duty with their time in state, and the most urgent callback items.
// Times come as the server counted them and are aged here between pushes, whatever this screen's clock says.
import { duration, el, label } from "/web/shared.js";

const $ = (id) => document.getElementById(id);
const URGENT_SHOWN = 8;
const lists = { agents: [], agentsAt: 0, items: [], skewMs: 0 };

export function setAgents(onDuty) {
  lists.agents = onDuty;
  lists.agentsAt = Date.now();
  $("on-duty").replaceChildren(...(onDuty.length
    ? onDuty.map((a) =>
      el("tr", { "data-agent-id": a.id },
        el("td", {}, el("strong", {}, a.name)),
        el("td", {}, el("span", { class: "pill", "data-status": a.status }, label("status", a.status))),
        el("td", { class: "t", "data-in-status": a.secondsInStatus }, duration(a.secondsInStatus)),
        el("td", {}, a.call
          ? [label("language", a.call.language), " · ", label("topic", a.call.topic), a.call.priority === "emergency" ? el("span", { class: "emergency" }, ` · ${label("priority", "emergency")}`) : ""]
          : el("span", { class: "muted" }, "—"))))
    : [el("tr", {}, el("td", { class: "muted", colspan: 4 }, "ไม่มีเจ้าหน้าที่ออนไลน์ · No agent is signed in"))]));
}

/** The pushed backlog message: its `at` is the server's time, so ages and deadlines match the server's. */
export function setUrgent(message) {
  lists.items = message.items.slice(0, URGENT_SHOWN);
  lists.skewMs = Date.now() - Date.parse(message.at);
  $("urgent").replaceChildren(...(lists.items.length
    ? lists.items.map((item) =>
      el("tr", { "data-callback-id": item.id },
        el("td", {}, item.number, item.priority === "emergency" ? el("span", { class: "emergency" }, ` ${label("priority", "emergency")}`) : ""),
        el("td", {}, label("language", item.language)),
        el("td", {}, label("reason", item.reason)),
        el("td", { class: "t", "data-age-of": item.firstMissedAt }, "—"),
        el("td", { class: item.overdue ? "t alert" : "t", "data-due": item.dueAt }, "—")))
    : [el("tr", {}, el("td", { class: "muted", colspan: 5 }, "ไม่มีรายการค้าง · Nothing to call back"))]));
  tickLists();
}

/** Every second: time in state, each item's age, and how long until (or since) it is due. */
export function tickLists() {
  const since = (Date.now() - lists.agentsAt) / 1000;
  for (const cell of document.querySelectorAll("[data-in-status]")) cell.textContent = duration(Number(cell.dataset.inStatus) + since);
  const serverNow = Date.now() - lists.skewMs;
  for (const cell of document.querySelectorAll("[data-age-of]")) cell.textContent = duration((serverNow - Date.parse(cell.dataset.ageOf)) / 1000);
  for (const cell of document.querySelectorAll("[data-due]")) {
    const left = (Date.parse(cell.dataset.due) - serverNow) / 1000;
    cell.textContent = left >= 0 ? `อีก · in ${duration(left)}` : `เลย · over ${duration(-left)}`;
    cell.classList.toggle("alert", left < 0);
  }
}
