// The agency lists of the referral and transfer panels: the rule's suggestion first, then nearby agencies.
import { api, el, label } from "/web/shared.js";
import { $, state, work } from "./state.js";

export async function loadAgencies() {
  const { callSid } = work;
  // The whole directory up to the API's largest page: the lists group it by province on the page.
  const res = await api(state.token, "GET", "/api/agencies?limit=1000");
  if (work.callSid !== callSid) return;
  work.agencies = res.status === 200 ? res.body.items : [];
  fillAgencySelects();
}

/** The suggestion first, then the case's province, nationwide agencies, and the rest of the country. */
function agencyOptions(select, { phoneOnly, choose, keep }) {
  const suggested = work.suggestion?.agency?.id;
  const province = work.case?.province ?? null;
  const category = work.case?.category;
  const groups = [
    ["★ แนะนำ · Suggested", (a) => a.id === suggested],
    [province ? `ในจังหวัด · In ${label("province", province)}` : "", (a) => province !== null && a.province === province],
    ["ทั่วประเทศ · Nationwide", (a) => a.province === null],
    ["จังหวัดอื่น · Other provinces", () => true],
  ];
  const placed = new Set();
  const optgroups = [];
  for (const [title, belongs] of groups) {
    const items = work.agencies.filter((a) => !placed.has(a.id) && belongs(a));
    for (const a of items) placed.add(a.id);
    if (!items.length) continue;
    optgroups.push(el("optgroup", { label: title }, items.map((a) => {
      const notes = [
        a.province && a.province !== province ? label("province", a.province) : null,
        category && a.categories.length && !a.categories.includes(category) ? "ไม่รับเรื่องประเภทนี้ · not for this category" : null,
        phoneOnly && !a.endpoint ? "ไม่มีเบอร์โทร · no phone" : null,
      ].filter(Boolean);
      return el("option", { value: a.id, disabled: phoneOnly && !a.endpoint }, `${a.name} — ${label("agencyType", a.type)}${notes.map((n) => ` (${n})`).join("")}`);
    })));
  }
  const previous = select.value;
  select.replaceChildren(el("option", { value: "" }, "— เลือกหน่วยงาน · choose an agency —"), ...optgroups);
  select.value = keep ? previous : String(choose ?? "");
  if (select.selectedIndex < 0 || select.selectedOptions[0]?.disabled) select.value = "";
}

export function fillAgencySelects() {
  agencyOptions($("referral-agency"), { phoneOnly: false, choose: work.suggestion?.agency?.id, keep: work.referTouched });
  const phone = (id) => work.agencies.find((a) => String(a.id) === String(id))?.endpoint;
  const referTo = $("referral-agency").value;
  const choose = phone(referTo) ? referTo : phone(work.suggestion?.agency?.id) ? work.suggestion.agency.id : "";
  agencyOptions($("transfer-agency"), { phoneOnly: true, choose, keep: work.transferTouched });
}

$("referral-agency").addEventListener("change", () => {
  work.referTouched = true;
  if (!work.transferTouched) fillAgencySelects();
});
$("transfer-agency").addEventListener("change", () => (work.transferTouched = true));
