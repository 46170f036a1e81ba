// The three charts of the reports page, drawn by Chart.js (served from this server, see page-routes.ts).
// Each canvas also says its totals in words (aria-label), for screen readers and for the tests.
import { Chart, registerables } from "/web/vendor/chart.js";

Chart.register(...registerables);
// The page's font: Thai labels need it.
Chart.defaults.font.family = 'system-ui, "Noto Sans Thai", "Leelawadee UI", Tahoma, Loma, sans-serif';
Chart.defaults.animation = false;

const COLOURS = { offered: "#0b5cad", answered: "#1a7f37", abandoned: "#b3001b", ivr: "#8a5a00", queue: "#b3001b", ringing: "#e07b00", sl: "#1a7f37", asa: "#0b5cad" };
const charts = {};

function draw(id, config, summary) {
  const canvas = document.getElementById(id);
  canvas.setAttribute("aria-label", summary);
  charts[id]?.destroy();
  charts[id] = new Chart(canvas, { ...config, options: { responsive: true, maintainAspectRatio: false, interaction: { mode: "index", intersect: false }, ...config.options } });
}

const bars = (label, data, colour, stack) => ({ type: "bar", label, data, backgroundColor: colour, stack });

/** `series` is one entry per interval: {label, offered, answered, abandoned: {ivr, queue, ringing}, serviceLevel, asa}. */
export function drawCharts(series, totals) {
  const labels = series.map((s) => s.label);
  draw(
    "chart-volume",
    {
      type: "bar",
      data: {
        labels,
        datasets: [
          bars("สายเข้า · Offered", series.map((s) => s.offered), COLOURS.offered),
          bars("รับสาย · Answered", series.map((s) => s.answered), COLOURS.answered),
          bars("สายหลุด · Abandoned", series.map((s) => s.abandoned.ivr + s.abandoned.queue + s.abandoned.ringing), COLOURS.abandoned),
        ],
      },
      options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    },
    `สายเข้า ${totals.offered} รับสาย ${totals.answered} สายหลุด ${totals.abandoned} · Offered ${totals.offered}, answered ${totals.answered}, abandoned ${totals.abandoned}`,
  );
  draw(
    "chart-service",
    {
      type: "line",
      data: {
        labels,
        datasets: [
          { label: "ระดับบริการ (%) · Service level (%)", data: series.map((s) => (s.serviceLevel === null ? null : Math.round(s.serviceLevel * 1000) / 10)), borderColor: COLOURS.sl, backgroundColor: COLOURS.sl, yAxisID: "sl", spanGaps: true },
          { label: "รอเฉลี่ย (วินาที) · ASA (s)", data: series.map((s) => s.asa), borderColor: COLOURS.asa, backgroundColor: COLOURS.asa, yAxisID: "asa", spanGaps: true },
        ],
      },
      options: {
        scales: {
          sl: { type: "linear", position: "left", min: 0, max: 100, title: { display: true, text: "%" } },
          asa: { type: "linear", position: "right", beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: "วินาที · s" } },
        },
      },
    },
    `ระดับบริการ ${percent(totals.serviceLevel)} รอเฉลี่ย ${seconds(totals.asa)} · Service level ${percent(totals.serviceLevel)}, average speed of answer ${seconds(totals.asa)}`,
  );
  draw(
    "chart-abandon",
    {
      type: "bar",
      data: {
        labels,
        datasets: [
          bars("ในเมนู · In the IVR", series.map((s) => s.abandoned.ivr), COLOURS.ivr, "a"),
          bars("ระหว่างรอ · In the queue", series.map((s) => s.abandoned.queue), COLOURS.queue, "a"),
          bars("ขณะเรียกเจ้าหน้าที่ · While ringing", series.map((s) => s.abandoned.ringing), COLOURS.ringing, "a"),
        ],
      },
      options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } },
    },
    `หลุดในเมนู ${totals.abandonedIvr} ระหว่างรอ ${totals.abandonedQueue} ขณะเรียก ${totals.abandonedRinging} · Abandoned in the IVR ${totals.abandonedIvr}, in the queue ${totals.abandonedQueue}, while ringing ${totals.abandonedRinging}`,
  );
}

export const percent = (share) => (share === null || share === undefined ? "—" : `${(share * 100).toFixed(1)} %`);
export const seconds = (s) => (s === null || s === undefined ? "—" : `${s} s`);
