// The case panel: open or update the call's case, see the agency the rule suggests, refer the case.
import { announce, api, constants, dateTime, el, label, learnLabels } from "/web/shared.js";
import { fillAgencySelects } from "./agencies.js";
import { fillPeople, readPeople } from "./case-people.js";
import { $, problem, state, work } from "./state.js";

const REMEMBERED_CASES = "hotline.agent.cases";
// The IVR's topic gives a first guess at the case category; violence needs the agent to say whose.
const TOPIC_CATEGORY = { trafficking: "trafficking", pregnancy: "pregnancy", child_labour: "child_labour", other: "other" };
let categoriesLoaded = false;

// -- the case form --
const collator = new Intl.Collator("th");
$("case-province").replaceChildren(el("option", { value: "" }, "— ยังไม่ทราบ · not known yet —"),
  ...[...constants.provinces].sort((a, b) => collator.compare(a.th, b.th)).map((p) => el("option", { value: p.code }, label("province", p.code))));
$("case-urgency").querySelector(".choices-inline").replaceChildren(...constants.urgencies.map((u) =>
  el("label", { class: "choice" }, el("input", { type: "radio", name: "case-urgency", value: u, required: true }), el("span", {}, label("urgency", u)))));

function fillCategories(items) {
  const select = $("case-category");
  const current = select.value;
  select.replaceChildren(el("option", { value: "" }, "— เลือก · choose —"), ...items.map((c) => el("option", { value: c.code }, label("category", c.code))));
  select.value = current;
}
fillCategories(constants.caseCategories);

/** The hotline's own list (supervisors may add categories); the shipped order first, "other" last. */
export async function loadCategories() {
  if (categoriesLoaded) return;
  const res = await api(state.token, "GET", "/api/case-categories");
  if (res.status !== 200) return;
  categoriesLoaded = true;
  const items = res.body.items.map((c) => ({ code: c.code, th: c.nameTh, en: c.nameEn, active: c.active }));
  learnLabels("category", items);
  const shipped = constants.caseCategories.map((c) => c.code);
  const rank = (code) => (code === "other" ? Infinity : shipped.includes(code) ? shipped.indexOf(code) : shipped.length);
  fillCategories(items.filter((c) => c.active).sort((a, b) => rank(a.code) - rank(b.code)));
  if (work.case) $("case-category").value = work.case.category;
}

export function fillCaseForm(c, pop) {
  $("case-form").reset();
  $("case-category").value = c?.category ?? TOPIC_CATEGORY[pop?.topic] ?? "";
  $("case-province").value = c?.province ?? "";
  const urgency = c?.urgency ?? (pop?.priority === "emergency" ? "crisis" : "normal");
  for (const input of document.querySelectorAll('input[name="case-urgency"]')) input.checked = input.value === urgency;
  $("case-notes").value = c?.notes ?? "";
  fillPeople(c?.people ?? []);
  $("case-people").open = Boolean(c?.people?.length);
  $("case-saved").hidden = true;
}

function caseFields() {
  return {
    category: $("case-category").value,
    province: $("case-province").value || null,
    urgency: document.querySelector('input[name="case-urgency"]:checked')?.value ?? "normal",
    notes: $("case-notes").value.trim(),
    people: readPeople(),
  };
}

$("case-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  if (work.saving || !work.callSid) return;
  const { callSid } = work;
  const fields = caseFields();
  const current = work.case;
  const changed = current ? Object.fromEntries(Object.entries(fields).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(current[k] ?? (k === "notes" ? "" : null)))) : null;
  if (changed && !Object.keys(changed).length) return ($("case-saved").hidden = false);
  work.saving = true;
  $("case-save").disabled = true;
  $("case-saved").hidden = true;
  announce($("case-error"), "");
  const res = current
    ? await api(state.token, "PATCH", `/api/cases/${current.id}`, changed)
    : await api(state.token, "POST", "/api/cases", { ...fields, channel: "hotline", ...caseLink(state.call?.pop) });
  work.saving = false;
  $("case-save").disabled = false;
  if (work.callSid !== callSid) return;
  if (res.status !== 200 && res.status !== 201) return announce($("case-error"), problem(res), "error");
  work.case = { referrals: [], links: [], ...current, ...res.body };
  rememberCase(callSid, res.body.id);
  $("case-saved").hidden = false;
  renderCase();
  loadSuggestion();
});

/** What ties a new case to the call: the call itself, or for a call-back its backlog item (the agent did not take the missed call). */
function caseLink(pop) {
  if (pop?.kind !== "callback") return { callSid: work.callSid };
  return pop.callbackId ? { callbackId: pop.callbackId } : {};
}

// A case opened on a call is found again after a reload: from this tab's memory, or among the caller's open cases.
function rememberedCases() {
  try {
    return JSON.parse(sessionStorage.getItem(REMEMBERED_CASES) ?? "{}");
  } catch {
    return {};
  }
}

function rememberCase(callSid, caseId) {
  const all = Object.entries({ ...rememberedCases(), [callSid]: caseId }).slice(-20);
  sessionStorage.setItem(REMEMBERED_CASES, JSON.stringify(Object.fromEntries(all)));
}

export async function findLinkedCase(pop) {
  const { callSid } = pop;
  const remembered = rememberedCases()[callSid];
  // The caller's open cases are worth a look only when the call was already under way (a reload, a reconnect).
  const underWay = pop.kind !== "callback" && (pop.state === "connected" || pop.state === "ended");
  const candidates = [remembered, ...(underWay ? (pop.openCases ?? []).map((c) => c.id) : [])];
  const linked = (c) => c.id === remembered || c.links?.some((l) => l.callSid === callSid);
  for (const id of new Set(candidates.filter(Boolean))) {
    const res = await api(state.token, "GET", `/api/cases/${id}`);
    if (work.callSid !== callSid || work.case) return;
    if (res.status === 200 && linked(res.body)) {
      work.case = res.body;
      fillCaseForm(res.body);
      renderCase();
      loadSuggestion();
      return;
    }
  }
}

export function renderCase() {
  const c = work.case;
  if (c) $("case").dataset.caseId = c.id;
  else delete $("case").dataset.caseId;
  $("case-title-id").textContent = c ? `#${c.id} · ${label("caseStatus", c.status)}` : "";
  $("case-save").textContent = c ? "บันทึกการแก้ไข · Save changes" : "เปิดเคส · Open case";
  $("referral").hidden = !c;
  renderSuggestion();
  renderReferrals();
}

// -- suggested agency and referral --
async function loadSuggestion() {
  const c = work.case;
  if (!c) return;
  work.suggestion = null;
  renderSuggestion();
  const res = await api(state.token, "GET", `/api/cases/${c.id}/suggested-agency`);
  if (work.case?.id !== c.id) return;
  work.suggestion = res.status === 200 ? res.body : { agency: null, rule: null, reason: problem(res) };
  renderSuggestion();
  fillAgencySelects();
}

const whereLabel = (a) => (a.province ? label("province", a.province) : "ทั่วประเทศ · Nationwide");

function renderSuggestion() {
  const box = $("suggestion");
  const s = work.suggestion;
  box.dataset.agencyId = s?.agency?.id ?? "";
  if (!s) return box.replaceChildren(el("p", { class: "muted" }, "กำลังหาหน่วยงาน… · Looking up the rule…"));
  if (!s.agency) {
    return box.replaceChildren(el("div", { class: "agency-card none" },
      el("p", {}, "ไม่มีหน่วยงานที่แนะนำ เลือกจากรายการด้านล่าง · No suggestion: choose an agency below"),
      el("p", { class: "muted" }, s.reason)));
  }
  const a = s.agency;
  box.replaceChildren(el("div", { class: "agency-card" },
    el("div", { class: "name" }, a.name),
    el("div", {}, `${label("agencyType", a.type)} · ${whereLabel(a)}`),
    el("div", { class: "muted" }, `โทร · Phone ${a.endpoint ?? "—"} · เวลาทำการ · Hours ${a.hours}`),
    el("p", { class: "rule" }, "เหตุผล · Why: ", label("referralRule", s.rule)),
    el("p", { class: "muted" }, s.reason)));
}

$("refer").addEventListener("click", async () => {
  const c = work.case;
  const agencyId = Number($("referral-agency").value);
  if (!c) return;
  if (!agencyId) return announce($("referral-error"), "เลือกหน่วยงานก่อน · Choose an agency first", "error");
  const note = $("referral-note").value.trim();
  $("refer").disabled = true;
  announce($("referral-error"), "");
  const res = await api(state.token, "POST", `/api/cases/${c.id}/referrals`, { agencyId, ...(note ? { note } : {}) });
  $("refer").disabled = false;
  if (work.case?.id !== c.id) return;
  if (res.status !== 201) return announce($("referral-error"), problem(res), "error");
  work.case = { ...work.case, status: "referred", referrals: [...(work.case.referrals ?? []), res.body] };
  $("referral-note").value = "";
  renderCase();
});

function renderReferrals() {
  $("referrals").replaceChildren(...(work.case?.referrals ?? []).map((r) =>
    el("li", { "data-referral-id": r.id, "data-agency-id": r.agencyId },
      "ส่งต่อแล้ว · Referred to ", el("strong", {}, r.agency?.name ?? `#${r.agencyId}`),
      ` · ${label("referralStatus", r.status)} · ครบกำหนด · due ${dateTime(r.dueAt)}`,
      r.overridden ? el("span", { class: "muted" }, " · เลือกเองแทนหน่วยงานที่แนะนำ · chosen instead of the suggestion") : null)));
}
