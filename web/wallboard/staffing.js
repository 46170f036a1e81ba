// The staffing line under the trend: agents on duty and needed per language, from GET /api/reports/staffing.
// A server without the forecast answers 404: the line then says so and the rest of the board carries on.
import { api, el, label } from "/web/shared.js";

const $ = (id) => document.getElementById(id);
const REFRESH_MS = 5 * 60_000;
let timer;

export function startStaffing(token) {
  clearInterval(timer);
  const load = async () => render(await api(token, "GET", "/api/reports/staffing"));
  load();
  timer = setInterval(load, REFRESH_MS);
}
export const stopStaffing = () => clearInterval(timer);

/** The rows of the forecast, whichever list the answer keeps them in. */
const rowsOf = (body) => [body?.items, body?.languages, body?.forecast, body?.staffing, Array.isArray(body) ? body : undefined].find(Array.isArray);
const first = (...values) => values.find((v) => typeof v === "number");

function render(res) {
  const note = (text) => $("staffing").replaceChildren(el("p", { class: "sub", "data-staffing": "unavailable" }, text));
  if (res.status === 404) return note("ยังไม่มีพยากรณ์อัตรากำลังบนเซิร์ฟเวอร์นี้ · No staffing forecast on this server yet");
  const rows = res.status === 200 ? rowsOf(res.body) : undefined;
  if (!rows) return note("อ่านพยากรณ์อัตรากำลังไม่ได้ · The staffing forecast could not be read");
  $("staffing").replaceChildren(...rows.map((r) => {
    const onDuty = first(r.onDuty, r.agentsOnDuty, r.current?.onDuty);
    const needed = first(r.needed, r.agentsNeeded, r.now?.needed, r.now?.agentsNeeded, r.hours?.[0]?.needed, r.next?.[0]?.needed);
    const level = first(r.target?.serviceLevel, r.serviceLevelTarget, res.body?.target?.serviceLevel);
    const within = first(r.target?.thresholdSeconds, r.thresholdSeconds, res.body?.target?.thresholdSeconds);
    const goal = level !== undefined && within !== undefined ? ` · ${Math.round(level * (level <= 1 ? 100 : 1))} % ใน · in ${within} s` : "";
    const short = onDuty !== undefined && needed !== undefined && onDuty < needed;
    return el("div", { class: "sub", "data-staffing-language": r.language },
      `${label("language", r.language)}: `,
      el("strong", { class: short ? "alert" : "" }, `${onDuty ?? "—"} ปฏิบัติงาน · on duty, ${needed ?? "—"} ที่ต้องการ · needed`), goal);
  }));
}
