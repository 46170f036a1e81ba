// The reports page: figures by hour or day and per agent over a chosen period, charted and exportable.
// Sign-in as on the wallboard; the figures come from GET /api/reports/* when asked, nothing live.
import { announce, api, download, duration, el, label, liveSession } from "/web/shared.js";
import { apiError } from "/web/errors.js";
import { drawCharts, percent, seconds } from "./charts.js";
import { PRESETS, dateRange, lastDays, localDate } from "./period.js";

const $ = (id) => document.getElementById(id);
const state = { token: null, shown: false, query: null };

const { signOut } = liveSession({
  storageKey: "hotline.reports.token",
  onMessage,
  onStart: (token) => (state.token = token),
  reset() {
    Object.assign(state, { token: null, shown: false });
    $("reports").hidden = true;
    $("me").textContent = "";
  },
});

function onMessage(m) {
  if (m.type !== "hello") return;
  if (m.user.role === "agent") return signOut("รายงานสำหรับหัวหน้างานและผู้ดูแล · Reports need a supervisor or admin token");
  $("me").textContent = m.user.name;
  $("sign-in").hidden = true;
  $("reports").hidden = false;
  $("sign-out").hidden = false;
  // Once per sign-in: a reconnect of the socket leaves the report the supervisor is reading alone.
  if (!state.shown) {
    state.shown = true;
    pickPreset();
    load();
  }
}

// ---- the period ----
function pickPreset() {
  const days = PRESETS[$("period").value];
  const custom = days === undefined;
  $("from").disabled = $("to").disabled = !custom;
  if (custom) return;
  const { from, to } = lastDays(days);
  $("from").value = localDate(from);
  $("to").value = localDate(to - 1);
  // A day by hours, longer periods by days; either can still be changed.
  $("by").value = days === 1 ? "hour" : "day";
}
$("period").addEventListener("change", pickPreset);
$("period-form").addEventListener("submit", (event) => {
  event.preventDefault();
  load();
});

function currentQuery() {
  const { from, to } = dateRange($("from").value, $("to").value);
  const iso = (t) => encodeURIComponent(new Date(t).toISOString());
  return { period: `from=${iso(from)}&to=${iso(to)}`, by: $("by").value, group: $("group").value, first: $("from").value, last: $("to").value };
}

async function load() {
  if (!$("from").value || !$("to").value) return announce($("report-notice"), "เลือกวันที่เริ่มและวันที่สิ้นสุด · Choose the first and the last day", "error");
  if ($("to").value < $("from").value) return announce($("report-notice"), "วันที่สิ้นสุดต้องไม่ก่อนวันที่เริ่ม · The last day cannot be before the first", "error");
  const q = currentQuery();
  announce($("report-notice"), "กำลังโหลด · Loading…");
  const [intervals, agents] = await Promise.all([
    api(state.token, "GET", `/api/reports/intervals?${q.period}&by=${q.by}&group=${q.group}`),
    api(state.token, "GET", `/api/reports/agents?${q.period}`),
  ]);
  const failed = [intervals, agents].find((r) => r.status !== 200);
  if (failed) return announce($("report-notice"), apiError(failed), "error");
  state.query = q;
  announce($("report-notice"), "");
  $("period-text").textContent = `${q.first} – ${q.last} (${intervals.body.timeZone})`;
  $("threshold").textContent = $("threshold-en").textContent = intervals.body.thresholdSeconds;
  renderIntervals(intervals.body.intervals, q);
  renderAgents(agents.body.agents);
  $("reports").dataset.loaded = `${q.period}&by=${q.by}&group=${q.group}`;
}

// ---- figures by interval ----
const abandonedOf = (r) => r.abandoned.ivr + r.abandoned.queue + r.abandoned.ringing;

/** Sums rows (several groups, or the whole period) the way the report defines its shares and means. */
function sum(rows) {
  const t = { offered: 0, answered: 0, inThreshold: 0, abandonedIvr: 0, abandonedQueue: 0, abandonedRinging: 0, waited: 0 };
  for (const r of rows) {
    t.offered += r.offered;
    t.answered += r.answered;
    t.inThreshold += r.answeredInThreshold;
    t.abandonedIvr += r.abandoned.ivr;
    t.abandonedQueue += r.abandoned.queue;
    t.abandonedRinging += r.abandoned.ringing;
    // The mean wait again from each row's (rounded) mean: close enough for a chart.
    t.waited += (r.averageSpeedOfAnswerSeconds ?? 0) * r.answered;
  }
  const served = t.answered + t.abandonedQueue + t.abandonedRinging;
  return {
    ...t,
    abandoned: t.abandonedIvr + t.abandonedQueue + t.abandonedRinging,
    serviceLevel: served > 0 ? t.inThreshold / served : null,
    asa: t.answered > 0 ? Math.round((t.waited / t.answered) * 10) / 10 : null,
  };
}

function intervalLabel(start, by, manyDays) {
  const day = `${start.slice(8, 10)}/${start.slice(5, 7)}`;
  if (by === "day") return day;
  return manyDays ? `${day} ${start.slice(11, 16)}` : start.slice(11, 16);
}

function renderIntervals(rows, q) {
  const starts = [...new Set(rows.map((r) => r.start))];
  const manyDays = new Set(starts.map((s) => s.slice(0, 10))).size > 1;
  const series = starts.map((start) => {
    const t = sum(rows.filter((r) => r.start === start));
    return { label: intervalLabel(start, q.by, manyDays), offered: t.offered, answered: t.answered, abandoned: { ivr: t.abandonedIvr, queue: t.abandonedQueue, ringing: t.abandonedRinging }, serviceLevel: t.serviceLevel, asa: t.asa };
  });
  const totals = sum(rows);
  drawCharts(series, totals);
  $("totals").replaceChildren(
    ...[
      ["offered", "สายเข้า · Offered", totals.offered, totals.offered],
      ["answered", "รับสาย · Answered", totals.answered, totals.answered],
      ["abandoned", "สายหลุด · Abandoned", totals.abandoned, totals.abandoned],
      ["service-level", "ระดับบริการ · Service level", totals.serviceLevel ?? "", percent(totals.serviceLevel)],
      ["asa", "รอเฉลี่ย · Average speed of answer", totals.asa ?? "", seconds(totals.asa)],
    ].map(([key, name, value, text]) => el("div", {}, el("div", { class: "v", "data-total": key, "data-value": value }, text), el("div", { class: "k" }, name))),
  );
  const groupText = (g) => (g === null ? "ไม่ได้เลือก · None chosen" : label(q.group, g));
  const cell = (key, value, text = value ?? "—", cls) => el("td", { "data-key": key, "data-value": value ?? "", class: cls }, text);
  $("intervals").replaceChildren(
    ...rows.map((r) =>
      el(
        "tr",
        { class: r.offered === 0 && r.callbacks.created + r.callbacks.reached + r.callbacks.overdue === 0 ? "zero" : undefined, "data-start": r.start, "data-group": r.group ?? "" },
        el("td", {}, intervalLabel(r.start, q.by, true)),
        cell("group", r.group, groupText(r.group), "text"),
        cell("offered", r.offered),
        cell("answered", r.answered),
        cell("answeredInThreshold", r.answeredInThreshold),
        cell("serviceLevel", r.serviceLevel, percent(r.serviceLevel)),
        cell("abandonedIvr", r.abandoned.ivr),
        cell("abandonedQueue", r.abandoned.queue),
        cell("abandonedRinging", r.abandoned.ringing),
        cell("overflow", r.overflow),
        cell("callbackRequests", r.callbackRequests),
        cell("averageSpeedOfAnswerSeconds", r.averageSpeedOfAnswerSeconds, duration(r.averageSpeedOfAnswerSeconds)),
        cell("averageHandleSeconds", r.averageHandleSeconds, duration(r.averageHandleSeconds)),
        cell("longestWaitSeconds", r.longestWaitSeconds, duration(r.longestWaitSeconds)),
      ),
    ),
  );
}

// A month by hour is thousands of rows, mostly empty: they are kept (the CSV has them all) but hidden.
$("show-empty").addEventListener("change", () => $("intervals").classList.toggle("hide-empty", !$("show-empty").checked));

// ---- per agent ----
function renderAgents(agents) {
  const cell = (key, value, text = value ?? "—", cls) => el("td", { "data-key": key, "data-value": value ?? "", class: cls }, text);
  $("agents").replaceChildren(
    ...agents.map((a) =>
      el(
        "tr",
        { "data-agent": a.id },
        el("td", {}, a.name),
        cell("languages", a.languages.join(" "), a.languages.map((l) => label("language", l).split(" · ")[0]).join(", "), "text"),
        cell("callsAnswered", a.callsAnswered),
        cell("callbacksReached", a.callbacksReached),
        cell("offersMissed", a.offersMissed),
        cell("talkSeconds", a.talkSeconds, duration(a.talkSeconds)),
        cell("wrapUpSeconds", a.wrapUpSeconds, duration(a.wrapUpSeconds)),
        cell("breakSeconds", a.breakSeconds, duration(a.breakSeconds)),
        cell("availableSeconds", a.availableSeconds, duration(a.availableSeconds)),
        cell("occupancy", a.occupancy, percent(a.occupancy)),
      ),
    ),
  );
}

// ---- CSV ----
async function exportCsv(path, name) {
  const q = state.query;
  if (!q) return;
  const res = await download(state.token, `${path}?${q.period}${path.includes("intervals") ? `&by=${q.by}&group=${q.group}` : ""}`, `${name}-${q.first}-${q.last}.csv`);
  if (res.status !== 200) announce($("report-notice"), apiError(res), "error");
}
$("intervals-export").addEventListener("click", () => exportCsv("/api/reports/intervals.csv", "intervals"));
$("agents-export").addEventListener("click", () => exportCsv("/api/reports/agents.csv", "agents"));
