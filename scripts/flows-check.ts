// npm run flows:check — validates voice-flows/ and prints the language × prompt coverage table. With the
// hotline's database (DATABASE_URL when set, as the server reads it, else DB_FILE, default
// ./data/hotline.db) it also shows staff recordings: approved ones and drafts awaiting approval; without
// it, it says so and shows only what is shipped.
import { loadFlows, FlowFileError } from "../src/ivr/flow-loader.js";
import { checkFlows, formatCoverage } from "../src/ivr/flow-check.js";
import { readStoredRecordings, readStoredRecordingsFromPostgres } from "../src/recordings/recordings-on-disk.js";

const dir = process.argv[2] ?? process.env.FLOWS_DIR ?? "./voice-flows";
const url = process.env.DATABASE_URL;
const dbFile = process.env.DB_FILE ?? "./data/hotline.db";
try {
  const stored = url ? await readStoredRecordingsFromPostgres(url) : await readStoredRecordings(dbFile);
  const withDb = "approved" in stored ? stored : undefined;
  const report = checkFlows(loadFlows(dir), withDb?.approved);
  const drafts: Record<string, number> = {};
  for (const d of withDb?.drafts ?? []) drafts[d.language] = (drafts[d.language] ?? 0) + 1;
  console.log(formatCoverage(report, withDb ? drafts : undefined));
  if (withDb) {
    for (const d of withDb.drafts) console.log(`draft awaiting approval: ${d.language} "${d.prompt}" #${d.id} (${d.source}, ${(d.durationMs / 1000).toFixed(1)} s)`);
    console.log(`recordings read from ${url ? "the PostgreSQL database at DATABASE_URL" : dbFile}`);
  } else {
    console.log(`ran without the database: ${"unavailable" in stored ? stored.unavailable : ""}; staff recordings and drafts are not shown`);
  }
  for (const w of report.warnings) console.log(`warning: ${w}`);
  for (const e of report.errors) console.error(`error: ${e}`);
  console.log(report.errors.length ? `\n${report.errors.length} error(s)` : "\nflows ok");
  process.exit(report.errors.length ? 1 : 0);
} catch (err) {
  if (!(err instanceof FlowFileError)) throw err;
  console.error(`error: ${err.message}`);
  process.exit(1);
}
