// The admin pages: users and agents, the agency directory, line capacity and the callback backlog.
import { liveSession } from "/web/shared.js";
import { loadBacklog } from "./backlog.js";
import { loadAgencies } from "./agencies.js";
import { loadLines } from "./lines.js";
import { $, state } from "./state.js";
import { loadUsers } from "./users.js";

const LOADERS = { users: loadUsers, agencies: loadAgencies, lines: loadLines, callbacks: loadBacklog };
let tab = "users";

function show(name) {
  tab = LOADERS[name] ? name : "users";
  for (const panel of document.querySelectorAll("[data-panel]")) panel.hidden = panel.dataset.panel !== tab;
  for (const button of document.querySelectorAll("[data-tab]")) button.setAttribute("aria-pressed", String(button.dataset.tab === tab));
  if (location.hash !== `#${tab}`) history.replaceState(null, "", `#${tab}`);
  if (state.me) LOADERS[tab]();
}
for (const button of document.querySelectorAll("[data-tab]")) button.addEventListener("click", () => show(button.dataset.tab));

const { signOut } = liveSession({
  storageKey: "hotline.admin.token",
  onMessage,
  onStart: (token) => (state.token = token),
  reset() {
    Object.assign(state, { token: null, me: null, agents: [] });
    $("admin").hidden = true;
    $("me").textContent = "";
  },
});

function onMessage(m) {
  if (m.type === "hello") {
    if (m.user.role === "agent") return signOut("หน้านี้สำหรับหัวหน้างานและผู้ดูแล · These pages need a supervisor or admin token");
    state.me = m.user;
    $("me").textContent = m.user.name;
    $("sign-in").hidden = true;
    $("admin").hidden = false;
    $("sign-out").hidden = false;
    // Supervisors manage agents; only an admin creates supervisor and admin accounts.
    $("new-user").hidden = m.user.role !== "admin";
    show(location.hash.slice(1));
  } else if (m.type === "stats" && tab === "lines") {
    loadLines(m.stats);
  }
  // The backlog list is not reloaded on each push: every list of numbers a supervisor reads is audited.
}
