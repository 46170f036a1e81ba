// Line capacity: how many callers the hotline takes at once; the live figures keep the numbers current.
import { announce, api } from "/web/shared.js";
import { problemText } from "./errors.js";
import { $, state } from "./state.js";

export async function loadLines(stats) {
  const figures = stats ?? (await api(state.token, "GET", "/api/stats")).body;
  if (!figures?.lines) return;
  $("lines-in-use").textContent = figures.lines.inUse;
  $("lines-capacity").textContent = figures.lines.capacity;
  if (document.activeElement !== $("lines")) $("lines").value = figures.lines.capacity;
}

$("lines-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const res = await api(state.token, "PUT", "/api/settings/lines", { lines: Number($("lines").value) });
  if (res.status !== 200) return announce($("lines-notice"), problemText(res), "error");
  announce($("lines-notice"), `ตั้งเป็น ${res.body.capacity} คู่สายแล้ว · Capacity set to ${res.body.capacity} lines`);
  $("lines").blur();
  loadLines({ lines: res.body });
});
