// The trend chart: the server's history of the last 3 hours (GET /api/stats/history, one point a minute,
// counted from the calls' timestamps) when the tab opens, then a sample at each push, kept in this tab's storage.
import { api, duration } from "/web/shared.js";

const $ = (id) => document.getElementById(id);
const TREND_MS = 3 * 3600_000;
const TREND_KEY = "hotline.wallboard.trend";

let samples = [];
try {
  samples = JSON.parse(sessionStorage.getItem(TREND_KEY) ?? "[]");
} catch { /* a damaged series just starts again */ }

export function addSample(s) {
  const now = Date.now();
  samples.push({ t: now, waiting: s.queue.waiting, inUse: s.lines.inUse });
  samples = samples.filter((p) => p.t >= now - TREND_MS).slice(-3000);
  sessionStorage.setItem(TREND_KEY, JSON.stringify(samples));
  drawTrend();
}

/**
 * The history replaces what this tab had before the moment it was computed; live samples after it stay.
 * Its times are the server's, shifted onto this screen's clock (the two may disagree).
 */
export async function loadHistory(token) {
  const res = await api(token, "GET", "/api/stats/history?minutes=180");
  if (res.status !== 200) return;
  const skew = Date.now() - Date.parse(res.body.to);
  const history = res.body.points.map((p) => ({ t: Date.parse(p.at) + skew, waiting: p.waiting, inUse: p.inUse }));
  const until = history.at(-1)?.t ?? 0;
  samples = [...history, ...samples.filter((p) => p.t > until)];
  sessionStorage.setItem(TREND_KEY, JSON.stringify(samples));
  drawTrend();
}

const SVG = "http://www.w3.org/2000/svg";
const svg = (tag, attrs = {}, text) => {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
};

function drawTrend() {
  const W = 800, H = 170, L = 34, R = 8, T = 8, B = 22;
  const now = Date.now();
  const t0 = samples.length ? Math.max(samples[0].t, now - TREND_MS) : now;
  const span = Math.max(now - t0, 1000);
  const top = Math.max(1, ...samples.map((p) => Math.max(p.waiting, p.inUse)));
  // Whole-number gridlines: counts are never halves.
  const yMax = top <= 10 ? Math.max(2, top + (top % 2)) : Math.ceil(top / 10) * 10;
  const x = (t) => L + ((t - t0) / span) * (W - L - R);
  const y = (v) => T + (1 - v / yMax) * (H - T - B);
  // Steps, not slopes: a count holds its value until the next push changes it.
  const line = (key) => {
    const pts = [];
    samples.forEach((p, i) => {
      if (i > 0) pts.push(`${x(p.t).toFixed(1)},${y(samples[i - 1][key]).toFixed(1)}`);
      pts.push(`${x(p.t).toFixed(1)},${y(p[key]).toFixed(1)}`);
    });
    if (samples.length) pts.push(`${x(now).toFixed(1)},${y(samples.at(-1)[key]).toFixed(1)}`);
    return pts.join(" ");
  };
  const last = samples.at(-1);
  const chart = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img",
    "aria-label": last ? `Last ${Math.round(span / 60000)} min: ${last.inUse} lines in use, ${last.waiting} waiting now` : "No data yet" });
  for (const v of [0, yMax / 2, yMax]) {
    chart.append(svg("line", { x1: L, x2: W - R, y1: y(v), y2: y(v), stroke: "#2a4059" }));
    chart.append(svg("text", { x: L - 6, y: y(v) + 4, "text-anchor": "end", fill: "#a3b3c6", "font-size": 12 }, v));
  }
  chart.append(svg("text", { x: L, y: H - 4, fill: "#a3b3c6", "font-size": 12 }, `−${duration(span / 1000)}`));
  chart.append(svg("text", { x: W - R, y: H - 4, "text-anchor": "end", fill: "#a3b3c6", "font-size": 12 }, "ตอนนี้ · now"));
  // Lines in use as a soft area, waiting callers as the line on top: both stay visible when equal.
  const inUse = line("inUse");
  if (inUse) chart.append(svg("polygon", { points: `${x(t0)},${y(0)} ${inUse} ${x(now)},${y(0)}`, fill: "#62b0ff", "fill-opacity": 0.3, stroke: "#62b0ff", "stroke-width": 2, "data-series": "inUse" }));
  chart.append(svg("polyline", { points: line("waiting"), fill: "none", stroke: "#ffc866", "stroke-width": 3, "data-series": "waiting" }));
  $("trend").replaceChildren(chart);
}
drawTrend();
setInterval(drawTrend, 15_000);
