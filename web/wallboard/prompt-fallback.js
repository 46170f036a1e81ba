// The wallboard's flag for languages whose callers hear some prompts in another language (no recording and
// no Twilio voice yet): read from GET /api/recordings/coverage once a minute. Kept apart from main.js, which
// owns the live figures.
import { el, label } from "/web/shared.js";

const STORAGE_KEY = "hotline.wallboard.token";
const EVERY_MS = 60_000;

/** "ภาษาเขมร · Khmer: 40 prompts in th" per language that falls back. */
function describe(report) {
  const byLanguage = {};
  for (const p of report.prompts) {
    if (!p.how.startsWith("fallback:") && p.how !== "missing") continue;
    const to = p.how === "missing" ? "—" : p.how.slice(9);
    (byLanguage[p.language] ??= {})[to] = (byLanguage[p.language][to] ?? 0) + 1;
  }
  return Object.entries(byLanguage).map(([language, to]) => `${label("language", language)}: ${Object.entries(to).map(([l, n]) => `${n} → ${l}`).join(", ")}`);
}

const flag = el("p", { class: "notice", "data-tone": "error", role: "status", hidden: true });

async function refresh() {
  const token = sessionStorage.getItem(STORAGE_KEY);
  const board = document.getElementById("board");
  if (!token || !board || board.hidden) return;
  if (!flag.isConnected) board.prepend(flag);
  const res = await fetch("/api/recordings/coverage", { headers: { authorization: `Bearer ${token}` } }).catch(() => undefined);
  if (!res?.ok) return;
  const lines = describe(await res.json());
  flag.hidden = lines.length === 0;
  flag.textContent = lines.length ? `ข้อความเสียงยังไม่ได้บันทึก ผู้โทรได้ยินภาษาอื่น · Prompts not yet recorded, heard in another language — ${lines.join(" · ")}` : "";
}

// At once when the board appears (after sign-in), then once a minute.
const board = document.getElementById("board");
if (board) new MutationObserver(() => void refresh()).observe(board, { attributes: true, attributeFilter: ["hidden"] });
setInterval(() => void refresh(), EVERY_MS);
void refresh();
