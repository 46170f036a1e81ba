// Users and agents: create (the token shown once), deactivate or reactivate, and rotate a token.
import { announce, api, constants, dateTime, el, label } from "/web/shared.js";
import { problemText } from "./errors.js";
import { $, state } from "./state.js";

const ROLES = { admin: "ผู้ดูแลระบบ · Admin", supervisor: "หัวหน้างาน · Supervisor", agent: "เจ้าหน้าที่ · Agent" };

$("agent-languages").replaceChildren(...constants.languages.map(({ code }) =>
  el("label", {}, el("input", { type: "checkbox", name: "agent-language", value: code }), label("language", code))));

export async function loadUsers() {
  const res = await api(state.token, "GET", "/api/users");
  if (res.status !== 200) return announce($("users-notice"), problemText(res), "error");
  renderUsers(res.body.items);
}

function renderUsers(users) {
  $("users").replaceChildren(...users.map((u) =>
    el("tr", { "data-user-id": u.id, class: u.active ? "" : "inactive" },
      el("td", {}, el("strong", {}, u.name)),
      el("td", {}, ROLES[u.role] ?? u.role),
      el("td", {}, (u.languages ?? []).map((code) => label("language", code)).join(", ") || "—"),
      el("td", {}, u.endpoint ?? "—"),
      el("td", {}, u.active ? el("span", { class: "pill on" }, u.status ? label("status", u.status) : "ใช้งาน · Active") : el("span", { class: "pill off" }, "ปิดใช้งาน · Deactivated")),
      el("td", {}, dateTime(u.lastSeenAt)),
      el("td", { class: "actions" }, u.id === state.me?.id ? el("span", { class: "muted" }, "บัญชีของคุณ · You") : [
        el("button", { type: "button", class: "small", onclick: () => setActive(u, !u.active) }, u.active ? "ปิดใช้งาน · Deactivate" : "เปิดใช้งาน · Reactivate"),
        " ",
        el("button", { type: "button", class: "small", onclick: () => rotate(u) }, "ออกรหัสใหม่ · New token"),
      ]))));
}

/** A token exists on screen once: until hidden, or the next one replaces it. */
function showToken(title, token) {
  $("token-once-title").textContent = title;
  $("token-once-value").textContent = token;
  $("token-once").hidden = false;
  $("token-once").scrollIntoView({ block: "nearest" });
}
$("token-once-hide").addEventListener("click", () => {
  $("token-once-value").textContent = "";
  $("token-once").hidden = true;
});

async function setActive(user, active) {
  const res = await api(state.token, "PATCH", `/api/users/${encodeURIComponent(user.id)}`, { active });
  if (res.status !== 200) return announce($("users-notice"), problemText(res), "error");
  announce($("users-notice"), active
    ? `เปิดใช้บัญชี ${user.name} แล้ว รหัสเดิมใช้ได้อีกครั้ง · ${user.name} is active again: their token works again`
    : `ปิดใช้บัญชี ${user.name} แล้ว รหัสถูกปฏิเสธทันที · ${user.name} is deactivated: their token is refused from now on`);
  loadUsers();
}

async function rotate(user) {
  const res = await api(state.token, "POST", `/api/users/${encodeURIComponent(user.id)}/token`);
  if (res.status !== 200) return announce($("users-notice"), problemText(res), "error");
  announce($("users-notice"), "");
  showToken(`รหัสใหม่ของ ${user.name} (รหัสเดิมใช้ไม่ได้แล้ว) · New token for ${user.name} (the old one no longer works)`, res.body.token);
  loadUsers();
}

$("agent-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const languages = [...document.querySelectorAll('input[name="agent-language"]:checked')].map((i) => i.value);
  if (!languages.length) return announce($("agent-error"), "เลือกภาษาที่พูดได้อย่างน้อยหนึ่งภาษา · Choose at least one language the agent speaks", "error");
  const body = { name: $("agent-name").value, languages, endpoint: $("agent-endpoint").value.trim() };
  const res = await api(state.token, "POST", "/api/agents", body);
  if (res.status !== 201) return announce($("agent-error"), problemText(res), "error");
  announce($("agent-error"), "");
  event.target.reset();
  showToken(`รหัสเข้าใช้งานของ ${res.body.name} · Access token for ${res.body.name}`, res.body.token);
  loadUsers();
});

$("user-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const res = await api(state.token, "POST", "/api/users", { name: $("user-name").value, role: $("user-role").value });
  if (res.status !== 201) return announce($("user-error"), problemText(res), "error");
  announce($("user-error"), "");
  event.target.reset();
  showToken(`รหัสเข้าใช้งานของ ${res.body.name} · Access token for ${res.body.name}`, res.body.token);
  loadUsers();
});
