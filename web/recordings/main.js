// The recordings page: supervisors record prompts by phone or upload them, approve drafts, and see what callers hear.
import { announce, api, constants, el, label, signIn } from "/web/shared.js";

const $ = (id) => document.getElementById(id);
const state = { token: null, coverage: null };
const FINAL = new Set(["kept", "ended", "failed"]);
const SESSION_TEXT = {
  calling: "กำลังโทรหาท่าน · Calling your phone…",
  recording: "กำลังบันทึก · Recording…",
  reviewing: "กำลังฟังซ้ำ · Listening back…",
  keeping: "กำลังบันทึกไฟล์ · Saving…",
  kept: "เก็บเป็นฉบับร่างแล้ว รอการอนุมัติ · Kept as a draft, waiting for approval",
  ended: "วางสายแล้ว ไม่ได้เก็บเสียง · The call ended; nothing was kept",
  failed: "ไม่สำเร็จ · It did not work (no answer, or the recording could not be fetched)",
};

const session = signIn({
  storageKey: "hotline.recordings.token",
  form: $("sign-in-form"),
  input: $("token"),
  onToken: async (token) => {
    state.token = token;
    if (!(await refresh())) return;
    $("sign-in").hidden = true;
    $("work").hidden = false;
    $("sign-out").hidden = false;
  },
});
$("sign-out").addEventListener("click", () => signOut());

function signOut(message = "") {
  session.forget();
  Object.assign(state, { token: null, coverage: null });
  $("work").hidden = true;
  $("sign-out").hidden = true;
  $("sign-in").hidden = false;
  announce($("sign-in-error"), message, "error");
}

/** Coverage and drafts from the server; false (and signed out) when the token is refused. */
async function refresh() {
  const [coverage, drafts] = await Promise.all([api(state.token, "GET", "/api/recordings/coverage"), api(state.token, "GET", "/api/recordings")]);
  if (coverage.status === 401 || coverage.status === 403) {
    signOut(coverage.status === 403 ? "ต้องใช้รหัสหัวหน้างาน · This page needs a supervisor token" : "รหัสไม่ถูกต้อง · That token was not accepted");
    return false;
  }
  state.coverage = coverage.body;
  renderChoices();
  renderCoverage();
  renderDrafts(drafts.body.recordings.filter((r) => r.status === "draft"));
  return true;
}

const cellOf = (prompt, language) => state.coverage.prompts.find((p) => p.prompt === prompt && p.language === language);
const prompts = () => [...new Set(state.coverage.prompts.map((p) => p.prompt))];

function renderChoices() {
  const fill = (select, values, text) => {
    const keep = select.value;
    select.replaceChildren(...values.map((v) => el("option", { value: v }, text(v))));
    if (values.includes(keep)) select.value = keep;
  };
  fill($("prompt"), prompts(), (p) => p);
  fill($("language"), constants.languages.map((l) => l.code), (l) => label("language", l));
  showPrompt();
}

function showPrompt() {
  const cell = cellOf($("prompt").value, $("language").value);
  $("prompt-text").textContent = cell?.text ?? "";
  $("prompt-state").textContent = cell ? `ตอนนี้ · Now: ${cell.how}${cell.drafts.length ? ` · ${cell.drafts.length} draft(s)` : ""}` : "";
}
$("prompt").addEventListener("change", showPrompt);
$("language").addEventListener("change", showPrompt);

function renderCoverage() {
  const languages = constants.languages.map((l) => l.code);
  const head = el("tr", {}, el("th", {}, "prompt"), languages.map((l) => el("th", { scope: "col" }, l)));
  const rows = prompts().map((prompt) =>
    el(
      "tr",
      {},
      el("th", { scope: "row" }, prompt),
      languages.map((language) => {
        const cell = cellOf(prompt, language);
        const kind = cell.how.startsWith("fallback:") ? "fallback" : cell.how;
        const text = (cell.how.startsWith("fallback:") ? `→${cell.how.slice(9)}` : cell.how === "voice" ? "tts" : cell.how) + (cell.drafts.length ? ` (${cell.drafts.length})` : "");
        return el("td", { class: kind }, text);
      }),
    ),
  );
  $("coverage").replaceChildren(el("thead", {}, head), el("tbody", {}, rows));
}

function renderDrafts(drafts) {
  if (!drafts.length) return $("drafts").replaceChildren(el("p", {}, "ไม่มี · None"));
  $("drafts").replaceChildren(
    ...drafts.map((d) => {
      const player = el("audio", { controls: true, preload: "none" });
      // The draft is not public: fetched with the token, played from a blob: URL.
      const load = el("button", { type: "button", onclick: async () => {
        const res = await fetch(`/api/recordings/${d.id}/audio`, { headers: { authorization: `Bearer ${state.token}` } });
        if (res.ok) player.src = URL.createObjectURL(await res.blob());
        load.remove();
      } }, "ฟัง · Listen");
      const decide = (verb) => async () => {
        await api(state.token, "POST", `/api/recordings/${d.id}/${verb}`);
        await refresh();
      };
      return el(
        "div",
        { class: "row" },
        el("span", {}, `#${d.id} ${d.prompt} · ${label("language", d.language)} · ${(d.durationMs / 1000).toFixed(1)} s · ${d.source}`),
        load,
        player,
        el("button", { type: "button", onclick: decide("approve") }, "อนุมัติ · Approve"),
        el("button", { type: "button", onclick: decide("reject") }, "ไม่ใช้ · Reject"),
      );
    }),
  );
}

$("call-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const res = await api(state.token, "POST", "/api/recordings/sessions", { prompt: $("prompt").value, language: $("language").value, phone: $("phone").value.trim() });
  if (res.status !== 201) return announce($("call-status"), res.body?.message ?? "error", "error");
  follow(res.body.id);
});

/** The session's progress, every two seconds until it ends. */
async function follow(id) {
  const res = await api(state.token, "GET", `/api/recordings/sessions/${id}`);
  if (res.status !== 200) return announce($("call-status"), res.body?.message ?? "error", "error");
  announce($("call-status"), SESSION_TEXT[res.body.status] ?? res.body.status, res.body.status === "failed" ? "error" : "info");
  if (FINAL.has(res.body.status)) return refresh();
  setTimeout(() => follow(id), 2000);
}

$("upload-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const file = $("file").files[0];
  if (!file) return;
  const query = new URLSearchParams({ prompt: $("prompt").value, language: $("language").value });
  const res = await fetch(`/api/recordings?${query}`, {
    method: "POST",
    headers: { authorization: `Bearer ${state.token}`, "content-type": file.type || "application/octet-stream" },
    body: file,
  });
  const body = await res.json().catch(() => ({}));
  if (res.status !== 201) return announce($("upload-status"), body.message ?? `error ${res.status}`, "error");
  announce($("upload-status"), `เก็บเป็นฉบับร่าง #${body.id} · Kept as draft #${body.id}`);
  $("file").value = "";
  await refresh();
});
