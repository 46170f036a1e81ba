// Section 5: a national agency directory, 10,000 rows of CSV, imported through POST /api/agencies/import
// into a hotline in this process. Timed from the request to its answer; meanwhile the event loop's
// longest stall is read from Node's delay histogram (1 ms resolution): it is how long a webhook arriving
// at the worst moment waits behind the import.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { goalBelow, round, type SectionResult } from "../lib/figures.js";
import { BENCH_ADMIN_TOKEN, startRig } from "../lib/rig.js";

const ROWS = 10_000;

export async function run(): Promise<SectionResult> {
  const rig = await startRig({}, "local");
  try {
    const csv = ["name,type,province,endpoint,hours,categories"]
      .concat(Array.from({ length: ROWS }, (_, i) => `Bench agency ${i},police,${10 + (i % 80)},+66530${String(i).padStart(5, "0")},24h,`))
      .join("\r\n");
    const importOnce = async () => {
      const delay = monitorEventLoopDelay({ resolution: 1 });
      delay.enable();
      const t0 = performance.now();
      const res = await fetch(`${rig.baseUrl}/api/agencies/import`, { method: "POST", headers: { authorization: `Bearer ${BENCH_ADMIN_TOKEN}`, "content-type": "text/csv" }, body: csv });
      const body = (await res.json()) as { created: number; updated: number };
      const ms = performance.now() - t0;
      delay.disable();
      return { ms: round(ms, 0), longestBlockMs: round(delay.max / 1e6, 0), created: body.created, updated: body.updated };
    };
    const fresh = await importOnce();
    const again = await importOnce();
    return {
      section: "import",
      figures: [
        { section: "import", figure: "10,000-row agency import (new / again)", value: `${fresh.ms} / ${again.ms}`, unit: "ms", goal: "< 1,000 ms", pass: goalBelow(Math.max(fresh.ms, again.ms), 1_000) },
        { section: "import", figure: "longest event-loop block during it", value: Math.max(fresh.longestBlockMs, again.longestBlockMs), unit: "ms", goal: "< 50 ms", pass: goalBelow(Math.max(fresh.longestBlockMs, again.longestBlockMs), 50) },
      ],
      details: { fresh, again },
    };
  } finally {
    await rig.close();
  }
}
