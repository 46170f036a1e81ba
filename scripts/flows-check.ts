// npm run flows:check — validates voice-flows/ and prints the language × prompt coverage table.
import { loadFlows, FlowFileError } from "../src/ivr/flow-loader.js";
import { checkFlows, formatCoverage } from "../src/ivr/flow-check.js";

const dir = process.argv[2] ?? process.env.FLOWS_DIR ?? "./voice-flows";
try {
  const report = checkFlows(loadFlows(dir));
  console.log(formatCoverage(report));
  for (const w of report.warnings) console.log(`warning: ${w}`);
  for (const e of report.errors) console.error(`error: ${e}`);
  console.log(report.errors.length ? `\n${report.errors.length} error(s)` : "\nflows ok");
  process.exit(report.errors.length ? 1 : 0);
} catch (err) {
  if (!(err instanceof FlowFileError)) throw err;
  console.error(`error: ${err.message}`);
  process.exit(1);
}
