// The transfer panel: hand the caller to an agency, warm (brief them first) or cold, and follow each step.
import { announce, api, label } from "/web/shared.js";
import { $, problem, state, work } from "./state.js";

// Which panels show depends on the transfer too; work.js, which decides, asks to hear of every step.
let changed = () => {};
export function onTransferChange(listener) {
  changed = listener;
}

const TRANSFER_RANK = { dialling: 0, briefing: 1, completed: 2, returned: 2, failed: 2 };
const TRANSFER_HINT = {
  warm: {
    dialling: "ผู้โทรรอสายและได้ยินข้อความให้รอ กำลังเรียกหน่วยงาน · The caller is on hold, hearing a hold message, while the agency's phone rings",
    briefing: "หน่วยงานรับสายแล้ว ผู้โทรยังรอสาย แจ้งรายละเอียดเคสให้หน่วยงาน แล้วกด \"ส่งต่อและวางสาย\" · The agency is on the line and the caller still on hold: brief them, then join the caller and leave",
    completed: "ผู้โทรคุยกับหน่วยงานแล้ว สายของคุณสิ้นสุด · The caller is now with the agency; you have left the call",
    returned: "ผู้โทรกลับมาคุยกับคุณแล้ว (หน่วยงานไม่รับสาย หรือคุณรับสายคืน) · The caller is back with you (the agency did not answer, or you took them back)",
    failed: "โอนสายไม่สำเร็จ · The transfer failed",
  },
  cold: {
    dialling: "คุณออกจากสายแล้ว ผู้โทรรอสายขณะเรียกหน่วยงาน · You have left; the caller waits while the agency's phone rings",
    briefing: "หน่วยงานรับสายแล้ว · The agency answered",
    completed: "หน่วยงานรับสายและคุยกับผู้โทรแล้ว · The agency answered and is with the caller",
    returned: "ผู้โทรกลับมาที่คุณ · The caller is back with you",
    failed: "หน่วยงานไม่รับสาย ผู้โทรกลับเข้าคิวเป็นลำดับแรก · The agency did not answer: the caller is back at the head of the queue",
  },
};

export async function loadTransfers(callSid) {
  const res = await api(state.token, "GET", `/api/calls/${encodeURIComponent(callSid)}/transfers`);
  if (work.callSid !== callSid || res.status !== 200) return;
  const latest = [...res.body.items].sort((a, b) => a.id - b.id).at(-1);
  if (latest) applyTransfer(latest);
}

export function onTransferUpdated(m) {
  if (m.callSid === work.callSid) applyTransfer({ id: m.transferId, status: m.status, mode: m.mode });
}

/** Pushes and HTTP replies race: a late reply must never move a transfer back to an earlier step. */
function applyTransfer({ id, status, mode, agencyId }) {
  const current = work.transfer;
  if (current && (id < current.id || (id === current.id && TRANSFER_RANK[status] < TRANSFER_RANK[current.status]))) return;
  work.transfer = { ...(current?.id === id ? current : {}), id, status, mode, ...(agencyId ? { agencyId } : {}) };
  changed();
}

export function renderTransfer() {
  const t = work.transfer;
  const live = t?.status === "dialling" || t?.status === "briefing";
  const connected = state.call?.phase === "connected" && state.call.pop.callSid === work.callSid;
  $("transfer").dataset.state = live ? "live" : t ? t.status : "ready";
  $("transfer-form").hidden = !connected || live || t?.status === "completed";
  // A caller the hotline called back has no place in the queue to go back to if the agency does not
  // answer: the counsellor stays on the line (warm only), as the server insists.
  const callBack = state.call?.pop.kind === "callback";
  const cold = document.querySelector('input[name="transfer-mode"][value="cold"]');
  cold.disabled = callBack;
  if (callBack && cold.checked) document.querySelector('input[name="transfer-mode"][value="warm"]').checked = true;
  $("transfer-cold-note").hidden = !callBack;
  $("transfer-live").hidden = !t;
  if (!t) return;
  const status = $("transfer-status");
  status.dataset.transferStatus = t.status;
  status.textContent = `${label("transferStatus", t.status)} · ${label("transferMode", t.mode)}`;
  const agency = work.agencies.find((a) => a.id === t.agencyId);
  $("transfer-agency-name").textContent = agency ? `${agency.name} · ${agency.endpoint ?? ""}` : "";
  $("transfer-hint").textContent = TRANSFER_HINT[t.mode]?.[t.status] ?? "";
  $("transfer-actions").hidden = !live || t.mode !== "warm";
  $("transfer-complete").disabled = t.status !== "briefing" || work.acting;
  $("transfer-cancel").disabled = work.acting;
}

$("transfer-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const { callSid } = work;
  const agencyId = Number($("transfer-agency").value);
  if (!callSid || work.acting) return;
  if (!agencyId) return announce($("transfer-error"), "เลือกหน่วยงานก่อน · Choose an agency first", "error");
  const mode = document.querySelector('input[name="transfer-mode"]:checked')?.value ?? "warm";
  work.acting = true;
  $("transfer-start").disabled = true;
  announce($("transfer-error"), "");
  const res = await api(state.token, "POST", `/api/calls/${encodeURIComponent(callSid)}/transfers`, { agencyId, mode, ...(work.case ? { caseId: work.case.id } : {}) });
  work.acting = false;
  $("transfer-start").disabled = false;
  if (work.callSid !== callSid) return;
  if (res.status !== 201) return announce($("transfer-error"), problem(res), "error");
  applyTransfer(res.body);
});

async function transferAction(action) {
  const t = work.transfer;
  if (!t || work.acting) return;
  work.acting = true;
  renderTransfer();
  announce($("transfer-error"), "");
  const res = await api(state.token, "POST", `/api/transfers/${t.id}/${action}`);
  work.acting = false;
  if (res.status === 200) applyTransfer(res.body);
  else {
    announce($("transfer-error"), problem(res), "error");
    if (work.callSid) loadTransfers(work.callSid);
  }
  renderTransfer();
}

$("transfer-complete").addEventListener("click", () => transferAction("complete"));
$("transfer-cancel").addEventListener("click", () => transferAction("cancel"));
