// The people a case involves (optional): a row each with role, name, age and sex.
import { constants, el, label } from "/web/shared.js";
import { $ } from "./state.js";

function personRow(person = {}) {
  const options = (kind, codes) => codes.map((code) => el("option", { value: code }, label(kind, code)));
  const row = el("div", { class: "person", "data-person-note": person.note ?? "" },
    el("select", { "aria-label": "บทบาท · Role", "data-person": "role" }, options("personRole", constants.personRoles)),
    el("input", { "aria-label": "ชื่อ (ถ้าทราบ) · Name (if known)", placeholder: "ชื่อ · Name", "data-person": "name", maxlength: 200, autocomplete: "off" }),
    el("input", { "aria-label": "อายุ · Age", placeholder: "อายุ · Age", "data-person": "age", type: "number", min: 0, max: 130 }),
    el("select", { "aria-label": "เพศ · Sex", "data-person": "sex" }, el("option", { value: "" }, "—"), options("sex", constants.sexes)),
    el("button", { type: "button", "aria-label": "ลบบุคคลนี้ · Remove this person", onclick: () => row.remove() }, "✕"));
  const field = (name) => row.querySelector(`[data-person="${name}"]`);
  field("role").value = person.role ?? "victim";
  field("name").value = person.name ?? "";
  field("age").value = person.age ?? "";
  field("sex").value = person.sex ?? "";
  return row;
}

$("add-person").addEventListener("click", () => {
  const row = personRow();
  $("people-list").append(row);
  row.querySelector("select").focus();
});

export function fillPeople(people) {
  $("people-list").replaceChildren(...people.map(personRow));
}

/** The rows as the case API takes them; a row keeps the note it was loaded with (the form has no field for it). */
export function readPeople() {
  return [...$("people-list").children].map((row) => {
    const value = (name) => row.querySelector(`[data-person="${name}"]`).value.trim();
    const age = value("age");
    const note = row.dataset.personNote;
    return { role: value("role"), ...(value("name") ? { name: value("name") } : {}), ...(age !== "" ? { age: Number(age) } : {}),
      ...(value("sex") ? { sex: value("sex") } : {}), ...(note ? { note } : {}) };
  });
}
