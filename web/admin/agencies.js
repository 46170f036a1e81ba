// The agency directory: search, add, edit, a CSV import checked before anything is written, and export.
import { announce, api, constants, el, label, learnLabels } from "/web/shared.js";
import { problemText } from "./errors.js";
import { $, download, state } from "./state.js";

const directory = { items: [], editing: null, csv: null };

$("agency-type").replaceChildren(...constants.agencyTypes.map((t) => el("option", { value: t.code }, label("agencyType", t.code))));
$("agency-province").replaceChildren(
  el("option", { value: "" }, "ทั่วประเทศ · Nationwide"),
  ...constants.provinces.map((p) => el("option", { value: p.code }, label("province", p.code))),
);

export async function loadAgencies() {
  const [list, categories] = await Promise.all([api(state.token, "GET", "/api/agencies?active=all"), api(state.token, "GET", "/api/case-categories")]);
  if (list.status !== 200) return announce($("agency-notice"), problemText(list), "error");
  directory.items = list.body.items;
  if (categories.status === 200) {
    const active = categories.body.items.filter((c) => c.active);
    learnLabels("category", active.map((c) => ({ code: c.code, th: c.nameTh, en: c.nameEn })));
    const chosen = new Set(checkedCategories());
    $("agency-categories").replaceChildren(...active.map((c) =>
      el("label", {}, el("input", { type: "checkbox", name: "agency-category", value: c.code, checked: chosen.has(c.code) }), label("category", c.code))));
  }
  renderDirectory();
}

const checkedCategories = () => [...document.querySelectorAll('input[name="agency-category"]:checked')].map((i) => i.value);

/** Matches the name, the province in either language, the type and the number, ignoring case. */
function matches(a, words) {
  const text = [a.name, a.provinceName?.th, a.provinceName?.en, a.typeLabel?.th, a.typeLabel?.en, a.endpoint].filter(Boolean).join(" ").toLowerCase();
  return words.every((w) => text.includes(w));
}

function renderDirectory() {
  const words = $("agency-search").value.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const showInactive = $("agency-inactive").checked;
  const shown = directory.items.filter((a) => (showInactive || a.active) && matches(a, words));
  $("agencies-count").textContent = `${shown.length} จาก ${directory.items.length} หน่วยงาน · ${shown.length} of ${directory.items.length} agencies`;
  $("agencies").replaceChildren(...shown.map((a) =>
    el("tr", { "data-agency-id": a.id, class: a.active ? "" : "inactive" },
      el("td", {}, el("strong", {}, a.name), a.active ? null : el("div", {}, el("span", { class: "pill off" }, "ปิดใช้ · Inactive"))),
      el("td", {}, label("agencyType", a.type)),
      el("td", {}, a.province ? label("province", a.province) : "ทั่วประเทศ · Nationwide"),
      el("td", {}, a.endpoint ?? "—"),
      el("td", {}, a.hours),
      el("td", { class: "actions" }, el("button", { type: "button", class: "small", onclick: () => edit(a) }, "แก้ไข · Edit")))));
}
$("agency-search").addEventListener("input", renderDirectory);
$("agency-inactive").addEventListener("change", renderDirectory);

function edit(agency) {
  directory.editing = agency;
  $("agency-form-title").textContent = `แก้ไข · Edit: ${agency.name}`;
  $("agency-save").textContent = "บันทึก · Save";
  $("agency-cancel").hidden = false;
  $("agency-active-row").hidden = false;
  $("agency-name").value = agency.name;
  $("agency-type").value = agency.type;
  $("agency-province").value = agency.province ?? "";
  $("agency-endpoint").value = agency.endpoint ?? "";
  $("agency-hours").value = agency.hours;
  $("agency-active").checked = agency.active;
  for (const box of document.querySelectorAll('input[name="agency-category"]')) box.checked = agency.categories.includes(box.value);
  announce($("agency-notice"), "");
  $("agency-name").focus();
}

function stopEditing() {
  directory.editing = null;
  $("agency-form").reset();
  $("agency-form-title").textContent = "เพิ่มหน่วยงาน · Add an agency";
  $("agency-save").textContent = "เพิ่ม · Add";
  $("agency-cancel").hidden = true;
  $("agency-active-row").hidden = true;
}
$("agency-cancel").addEventListener("click", () => {
  stopEditing();
  announce($("agency-notice"), "");
});

$("agency-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const body = {
    name: $("agency-name").value,
    type: $("agency-type").value,
    province: $("agency-province").value || null,
    endpoint: $("agency-endpoint").value.trim() || null,
    hours: $("agency-hours").value.trim() || "24h",
    categories: checkedCategories(),
  };
  const editing = directory.editing;
  const res = editing
    ? await api(state.token, "PATCH", `/api/agencies/${editing.id}`, { ...body, active: $("agency-active").checked })
    : await api(state.token, "POST", "/api/agencies", body);
  if (res.status >= 300) return announce($("agency-notice"), problemText(res), "error");
  announce($("agency-notice"), editing ? `บันทึก ${res.body.name} แล้ว · ${res.body.name} saved` : `เพิ่ม ${res.body.name} แล้ว · ${res.body.name} added`);
  stopEditing();
  loadAgencies();
});

$("agency-export").addEventListener("click", async () => {
  const res = await download("/api/agencies.csv?active=all", "agencies.csv");
  if (res.status !== 200) announce($("agency-notice"), problemText(res), "error");
});

// ---- import: checked first (a dry run on the server), written only on Import ----
$("import-file").addEventListener("change", () => {
  directory.csv = null;
  $("import-run").disabled = true;
  $("import-preview").replaceChildren();
});

async function sendCsv(dryRun) {
  try {
    const res = await fetch(`/api/agencies/import${dryRun ? "?dryRun=1" : ""}`, {
      method: "POST",
      headers: { authorization: `Bearer ${state.token}`, "content-type": "text/csv" },
      body: directory.csv,
    });
    return { status: res.status, body: await res.json() };
  } catch (err) {
    return { status: 0, body: { message: String(err?.message ?? err) } };
  }
}

$("import-check").addEventListener("click", async () => {
  const file = $("import-file").files[0];
  if (!file) return $("import-preview").replaceChildren(el("p", { class: "notice", "data-tone": "error" }, "เลือกไฟล์ CSV ก่อน · Choose a CSV file first"));
  directory.csv = await file.text();
  const res = await sendCsv(true);
  if (res.status !== 200) {
    $("import-run").disabled = true;
    return $("import-preview").replaceChildren(el("p", { class: "notice", "data-tone": "error" }, problemText(res)));
  }
  const { created, updated, errors } = res.body;
  $("import-run").disabled = created + updated === 0;
  $("import-preview").replaceChildren(
    el("p", { class: "notice", "data-tone": errors.length ? "error" : "info" },
      `ตรวจแล้ว ยังไม่ได้บันทึก: เพิ่มใหม่ ${created} แก้ไข ${updated} แถวที่ผิด ${errors.length} · Checked, nothing written yet: ${created} to add, ${updated} to update, ${errors.length} rows with errors`,
      errors.length ? " — แถวที่ผิดจะถูกข้ามไป แก้ไฟล์แล้วตรวจใหม่ได้ · rows with errors will be skipped; correct the file and check again" : ""),
    errors.length ? errorTable(errors) : "",
  );
});

const errorTable = (errors) =>
  el("table", { class: "preview-errors" },
    el("thead", {}, el("tr", {}, el("th", {}, "แถว · Line"), el("th", {}, "ปัญหา · Problem"))),
    el("tbody", {}, errors.map((e) => el("tr", { "data-line": e.line }, el("td", {}, e.line), el("td", {}, problemText({ status: 400, body: { message: e.message } }))))));

$("import-run").addEventListener("click", async () => {
  if (!directory.csv) return;
  $("import-run").disabled = true;
  const res = await sendCsv(false);
  if (res.status !== 200) return $("import-preview").replaceChildren(el("p", { class: "notice", "data-tone": "error" }, problemText(res)));
  const { created, updated, errors } = res.body;
  directory.csv = null;
  $("import-file").value = "";
  $("import-preview").replaceChildren(
    el("p", { class: "notice" }, `นำเข้าแล้ว: เพิ่มใหม่ ${created} แก้ไข ${updated} ข้าม ${errors.length} · Imported: ${created} added, ${updated} updated, ${errors.length} skipped`),
    errors.length ? errorTable(errors) : "",
  );
  loadAgencies();
});
