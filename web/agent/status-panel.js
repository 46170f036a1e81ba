// The agent's own status: shown as a pill, chosen with three buttons.
import { announce, label } from "/web/shared.js";
import { $, state } from "./state.js";
import { renderCountdown } from "./wrap-up.js";

export function renderStatus() {
  const pill = $("agent-status");
  pill.dataset.agentStatus = state.status;
  pill.textContent = label("status", state.status);
  const busy = state.status === "offered" || state.status === "on_call";
  for (const button of document.querySelectorAll("[data-set-status]")) {
    button.setAttribute("aria-pressed", String(button.dataset.setStatus === state.status));
    button.disabled = busy;
  }
  $("status-hint").hidden = state.status !== "wrap_up";
  renderCountdown();
}

for (const button of document.querySelectorAll("[data-set-status]")) {
  button.addEventListener("click", () => {
    if (!state.live?.send({ type: "status", status: button.dataset.setStatus })) announce($("notice"), "ยังไม่ได้เชื่อมต่อ · Not connected", "error");
  });
}
