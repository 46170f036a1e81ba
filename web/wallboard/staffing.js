// The staffing line under the trend: agents on duty and needed per language, from GET /api/reports/staffing.
// A forecast that cannot be read leaves a note, and the rest of the board carries on.
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

function render(res) {
  const note = (text) => $("staffing").replaceChildren(el("p", { class: "sub", "data-staffing": "unavailable" }, text));
  if (res.status !== 200 || !Array.isArray(res.body?.languages)) return note("อ่านพยากรณ์อัตรากำลังไม่ได้ · The staffing forecast could not be read");
  // GET /api/reports/staffing: the target and threshold for all, then per language on duty and needed now.
  const { target, thresholdSeconds } = res.body;
  const goal = ` · ${Math.round(target * 100)} % ใน · in ${thresholdSeconds} s`;
  $("staffing").replaceChildren(...res.body.languages.map((r) => {
    const short = r.onDuty < r.neededNow;
    return el("div", { class: "sub", "data-staffing-language": r.language },
      `${label("language", r.language)}: `,
      el("strong", { class: short ? "alert" : "" }, `${r.onDuty} ปฏิบัติงาน · on duty, ${r.neededNow} ที่ต้องการ · needed`), goal);
  }));
}
