// The screen-pop: who is calling, in which language, about what, and what happened on their earlier calls.
import { dateTime, duration, el, label } from "/web/shared.js";
import { controlsFor } from "./call-controls.js";
import { $, state } from "./state.js";
import { syncWork } from "./work.js";

let timer;
export function startTimer() {
  stopTimer();
  timer = setInterval(renderTimer, 1000);
}

export function stopTimer() {
  clearInterval(timer);
  timer = undefined;
}

function renderTimer() {
  const node = $("call-timer");
  const call = state.call;
  if (!node || !call) return;
  const running = call.phase === "connected";
  node.dataset.running = String(running);
  node.textContent = running ? duration((Date.now() - call.connectedAt) / 1000) : call.talkSeconds != null ? duration(call.talkSeconds) : "—";
}

const PHASE = {
  offered: "สายกำลังเข้า — รับสายที่โทรศัพท์ของคุณ · Incoming — answer on your phone",
  connected: "กำลังสนทนา · On the call",
  ended: "สายสิ้นสุดแล้ว · Call ended",
};
const CALLBACK_OFFERED = "โทรกลับ: รับสายที่โทรศัพท์ของคุณ แล้วระบบจะโทรหาผู้โทร · Callback — answer your phone, then the caller is dialled";

export function renderCall() {
  syncWork();
  const area = $("call-area");
  const call = state.call;
  document.title = call?.phase === "offered" ? "● สายเข้า · Incoming call — 1300" : "เจ้าหน้าที่ 1300 · Agent desktop";
  if (!call) return area.replaceChildren(el("p", { class: "muted" }, "ยังไม่มีสาย · No call right now"));
  const p = call.pop;
  const emergency = p.priority === "emergency";
  area.replaceChildren(
    el("article", { id: "screen-pop", class: emergency ? "emergency" : "", "data-call-sid": p.callSid, "data-phase": call.phase },
      el("p", { class: "phase" }, p.kind === "callback" && call.phase === "offered" ? CALLBACK_OFFERED : PHASE[call.phase]),
      el("div", { class: "row" },
        el("span", { class: `badge ${emergency ? "emergency" : ""}`, "data-field": "priority" }, label("priority", p.priority)),
        p.kind === "callback" ? el("span", { class: "badge callback" }, "โทรกลับ · Callback") : null),
      el("div", { class: "row" },
        el("p", { class: "caller", "data-field": "from" }, p.from === "withheld" ? "ไม่แสดงหมายเลข · Withheld" : p.from),
        call.phase === "offered" ? null : el("span", { class: "muted" }, "เวลาสนทนา · Talk time"),
        call.phase === "offered" ? null : el("span", { id: "call-timer", role: "timer", "aria-live": "off" })),
      controlsFor(call),
      el("dl", { class: "facts" },
        fact("ภาษา · Language", label("language", p.language), "language"),
        fact("เรื่อง · Topic", label("topic", p.topic), "topic"),
        fact("รอสาย · Waited", p.kind === "callback" ? "—" : duration(p.waitedSeconds), "waited"),
        fact("สายที่ใช้อยู่ · Lines in use", p.linesInUse, "lines")),
      el("h3", {}, "เส้นทางในเมนู · IVR path"),
      ivrPath(p.ivrPath ?? []),
      el("h3", {}, "ประวัติผู้โทร · Caller history"),
      history(p)),
  );
  renderTimer();
}

const fact = (term, value, field) => el("div", {}, el("dt", {}, term), el("dd", { "data-field": field }, value ?? "—"));

function ivrPath(steps) {
  if (!steps.length) return el("p", { class: "muted" }, "—");
  const start = Date.parse(steps[0].at);
  const input = (i) => (i === "call" ? "เริ่มสาย · call starts" : i === "timeout" ? "ไม่กด · no key" : i?.startsWith("invalid:") ? `กดผิด · wrong key ${i.slice(8)}` : `กด · key ${i}`);
  return el("ol", { class: "ivr" }, steps.map((s) =>
    el("li", {}, `+${duration((Date.parse(s.at) - start) / 1000)} · ${input(s.input)} → ${s.node}`, s.language ? ` (${label("language", s.language)})` : "")));
}

function history(p) {
  const calls = (p.history ?? []).filter((h) => h.kind === "call");
  const openCallbacks = p.openCallbacks ?? [];
  const openCases = p.openCases ?? [];
  const parts = [];
  if (!calls.length) parts.push(el("p", { class: "muted" }, "โทรมาครั้งแรก · First call from this number"));
  else parts.push(el("ul", { class: "history" }, calls.map((c) =>
    el("li", { "data-history-call": c.callSid },
      el("strong", {}, dateTime(c.at)), ` · ${label("callOutcome", c.outcome)} · ${label("language", c.language)} · ${label("topic", c.topic)}`,
      (c.dispositions ?? []).map((d) => el("div", { class: "note" },
        `${label("outcome", d.outcome)}${d.topic && d.topic !== c.topic ? ` · ${label("topic", d.topic)}` : ""} — `,
        el("span", { "data-field": "note" }, d.note || "(ไม่มีบันทึก · no note)"),
        el("span", { class: "muted" }, ` · โดย · by ${d.agentId === state.me?.id ? "คุณ · you" : (d.agentName ?? d.agentId ?? "—")}, ${dateTime(d.at)}`))),
    ))));
  if (openCallbacks.length) {
    // Open when the call came; once the call reached the caller the same item shows as reached.
    parts.push(el("h3", {}, "รายการโทรกลับของเบอร์นี้ · Callback item for this number"));
    parts.push(el("ul", {}, openCallbacks.map((cb) =>
      el("li", { "data-history-callback": cb.id, "data-status": cb.status }, `${label("reason", cb.reason)} · ${cb.missedCalls} ครั้ง · missed, `,
        el("strong", { "data-field": "callback-status" }, label("callbackStatus", cb.status)),
        cb.status === "reached" ? " · สายนี้ติดต่อได้แล้ว · reached by this call"
          : cb.overdue ? el("span", { class: "overdue-text" }, " · เลยกำหนด · overdue") : ` · ครบกำหนด · due ${dateTime(cb.dueAt)}`))));
  }
  if (openCases.length) {
    parts.push(el("h3", {}, "เคสที่เปิดอยู่ · Open cases"));
    parts.push(el("ul", {}, openCases.map((c) =>
      el("li", { "data-open-case": c.id }, `#${c.id} · ${label("category", c.category)} · ${label("urgency", c.urgency)}`,
        c.province ? ` · ${label("province", c.province)}` : "", ` · ${label("caseStatus", c.status)}`,
        c.referralStatus ? ` · ส่งต่อ · referral: ${label("referralStatus", c.referralStatus)}` : "", ` · ${dateTime(c.createdAt)}`))));
  }
  return el("div", {}, parts);
}
