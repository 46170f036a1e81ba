// `npm run bench`: every section in its own process, one after the other, then one table and
// bench/results/latest.json. Exits 0 when the bench ran to the end, whatever the figures; 1 only when a
// section broke. `npm run bench -- storm backlog` runs only those sections.
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { Child } from "./lib/child.js";
import type { Figure, SectionResult } from "./lib/figures.js";
import { machine } from "./lib/machine.js";

const SECTIONS: Array<{ name: string; title: string; timeoutSeconds: number }> = [
  { name: "webhook", title: "1. Webhook path", timeoutSeconds: 360 },
  { name: "storm", title: "2. Call storm", timeoutSeconds: 360 },
  { name: "screen-pop", title: "3. Screen-pop latency", timeoutSeconds: 240 },
  { name: "backlog", title: "4. Backlog at scale", timeoutSeconds: 300 },
  { name: "import", title: "5. Agency import", timeoutSeconds: 120 },
  { name: "cluster", title: "6. Two instances on PostgreSQL", timeoutSeconds: 900 },
  { name: "arrival", title: "7. Call arrival at scale", timeoutSeconds: 420 },
];

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !SECTIONS.some((s) => s.name === w));
if (unknown.length) {
  console.error(`unknown section(s): ${unknown.join(", ")}; known: ${SECTIONS.map((s) => s.name).join(", ")}`);
  process.exit(2);
}
const selected = SECTIONS.filter((s) => wanted.length === 0 || wanted.includes(s.name));
const host = machine();
const load = () => loadavg().map((n) => Math.round(n * 100) / 100);
const loadBefore = load();
const started = new Date();
const t0 = performance.now();

console.log(`hotline bench — ${host.cpu}, ${host.cores} cores, ${host.ramGb} GB RAM, node ${host.node}, ${host.os}`);
console.log(`load average before: ${loadBefore.join(" ")}${loadBefore[0]! > host.cores / 2 ? "  (the machine is busy: figures will be noisy)" : ""}\n`);

const results: SectionResult[] = [];
const failures: Array<{ section: string; error: string }> = [];
for (const section of selected) {
  const began = performance.now();
  console.log(`running ${section.title} …`);
  const child = new Child("lib/section-child.ts", [section.name]);
  try {
    const answer = await Promise.race([child.next("result", section.timeoutSeconds * 1000), child.next("failed", section.timeoutSeconds * 1000)]);
    if (answer.type === "failed") throw new Error(String(answer.error));
    results.push(answer.result as SectionResult);
    console.log(`  done in ${Math.round((performance.now() - began) / 1000)} s`);
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    failures.push({ section: section.name, error });
    console.log(`  FAILED: ${error.split("\n").slice(0, 6).join("\n  ")}`);
  } finally {
    // SIGTERM first: a section cut short stops what it started (its PostgreSQL cluster) on its way out.
    child.proc.kill("SIGTERM");
    const killer = setTimeout(() => child.proc.kill("SIGKILL"), 15_000);
    await child.exited;
    clearTimeout(killer);
  }
}
const loadAfter = load();
const totalSeconds = Math.round((performance.now() - t0) / 1000);

// The table: one row per figure, its goal and whether it meets it.
const rows: string[][] = [["section", "figure", "value", "goal", "result"]];
for (const r of results) {
  for (const f of r.figures) rows.push([f.section, f.figure, formatValue(f), f.goal ?? "", f.pass === null ? "—" : f.pass ? "PASS" : "FAIL"]);
}
for (const f of failures) rows.push([f.section, "section did not finish", "", "", "ERROR"]);
const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
const line = (r: string[]) => r.map((cell, c) => cell.padEnd(widths[c]!)).join("  ").trimEnd();
const rule = widths.map((w) => "-".repeat(w)).join("  ");
console.log(`\n${rule}`);
console.log(`hotline bench  ${started.toISOString()}  ${host.cpu} · ${host.cores} cores · ${host.ramGb} GB · node ${host.node}  (load ${loadBefore[0]} → ${loadAfter[0]})`);
console.log(rule);
console.log(line(rows[0]!));
console.log(rule);
let previous = "";
for (const r of rows.slice(1)) {
  if (previous && r[0] !== previous) console.log("");
  previous = r[0]!;
  console.log(line(r));
}
console.log(rule);
const goals = results.flatMap((r) => r.figures).filter((f) => f.pass !== null);
const missed = goals.filter((f) => !f.pass);
console.log(`${goals.length - missed.length} of ${goals.length} goals met${missed.length ? `; missed: ${missed.map((f) => `${f.section} ${f.figure}`).join("; ")}` : ""}. ${totalSeconds} s in all.`);

const outDir = fileURLToPath(new URL("./results/", import.meta.url));
mkdirSync(outDir, { recursive: true });
const json = {
  startedAt: started.toISOString(),
  totalSeconds,
  machine: host,
  loadAverage: { before: loadBefore, after: loadAfter },
  goals: { met: goals.length - missed.length, total: goals.length },
  sections: results,
  failures,
};
writeFileSync(`${outDir}latest.json`, `${JSON.stringify(json, null, 2)}\n`);
console.log(`results: bench/results/latest.json`);
process.exit(failures.length ? 1 : 0);

function formatValue(f: Figure): string {
  if (f.value === null) return "n/a";
  const v = typeof f.value === "number" ? f.value.toLocaleString("en") : f.value;
  return f.unit ? `${v} ${f.unit}` : v;
}
