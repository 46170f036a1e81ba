// `npx tsx bench/profile.ts [dir] [--postgres]`: where the CPU of a call arrival (POST /twilio/voice) and of a
// signed IVR step goes, on SQLite (or on the bench's own PostgreSQL), as section 1 runs them (the hotline in a child process, autocannon here, 200
// connections). Each phase is profiled on its own (V8's sampling profiler, started and stopped over IPC,
// 100 µs interval) and summed by component (lib/profile-summary.ts); the .cpuprofile files are kept in
// `dir` (Chrome DevTools opens them). Not part of `npm run bench`: the profiler itself costs CPU.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { readFileSync } from "node:fs";
import Database from "better-sqlite3";
import { startHotlineChild } from "./lib/hotline-child.js";
import { COMPONENTS, summarize, type CpuProfile } from "./lib/profile-summary.js";
import { copyCallsPg, startBenchPostgres, type BenchPostgres } from "./lib/postgres.js";
import { callParams, copyCalls, ivrStep, load, prepare } from "./sections/webhook.js";

// The hotline from its sources (through tsx): the summary counts the profile's time by source file.
process.env.BENCH_FROM_SOURCES = "1";
const args = process.argv.slice(2);
const onPostgres = args.includes("--postgres");
const out = resolve(args.find((a) => !a.startsWith("--")) ?? "bench/results/profiles");
mkdirSync(out, { recursive: true });
const COPIES = Number(process.env.BENCH_WEBHOOK_COPIES ?? (onPostgres ? 10_000 : 30_000));
const dir = mkdtempSync(join(tmpdir(), "hotline-profile-"));
const dbFile = join(dir, "hotline.db");
const pgDb: BenchPostgres | undefined = onPostgres ? await startBenchPostgres() : undefined;
const { hotline, baseUrl } = await startHotlineChild(pgDb ? { DATABASE_URL: pgDb.url } : { DB_FILE: dbFile }, COPIES + 200_000);
const cpuMs = async () => Number((await hotline.ask({ type: "stats" }, "stats")).cpuMs);

async function profiled(name: string, run: () => Promise<{ requests: number; rps: number }>) {
  const file = join(out, `${name}.cpuprofile`);
  await hotline.ask({ type: "profileStart", intervalUs: 100 }, "profileStarted");
  const before = await cpuMs();
  const r = await run();
  const cpu = (await cpuMs()) - before;
  await hotline.ask({ type: "profileStop", file }, "profileStopped");
  const { us, busyUs, byScript } = summarize(JSON.parse(readFileSync(file, "utf8")) as CpuProfile);
  console.log(`\n${name}: ${r.requests} requests, ${Math.round(r.rps)} req/s; process CPU ${Math.round((cpu * 1000) / r.requests)} µs per request (profiled, with the profiler's own cost); main thread sampled busy ${Math.round(busyUs / r.requests)} µs`);
  for (const c of COMPONENTS) console.log(`  ${c.padEnd(44)} ${String(Math.round(us[c] / r.requests)).padStart(5)} µs  ${String(Math.round((100 * us[c]) / busyUs)).padStart(3)} %`);
  console.log("  top functions (self µs per request):");
  for (const [k, t] of byScript.slice(0, 25)) console.log(`    ${(t / r.requests).toFixed(1).padStart(6)}  ${k}`);
}

try {
  let arrivals = 0;
  const arrive = () => prepare(baseUrl, "/twilio/voice", callParams(arrivals++, { CallStatus: "ringing" }));
  await load(`${baseUrl}/twilio/voice`, arrive, 1);
  await profiled("arrival", () => load(`${baseUrl}/twilio/voice`, arrive, 3));
  const admittedQuery = "select sid from calls where ivr_node = 'language-menu' and ivr_retries = 0 order by sid";
  if (pgDb) {
    const admitted = (await pgDb.client.query<{ sid: string }>(admittedQuery)).rows.map((r) => r.sid);
    await copyCallsPg(pgDb.client, admitted[0]!, arrivals + 1, COPIES);
  } else {
    const db = new Database(dbFile, { readonly: true });
    const admitted = (db.prepare(admittedQuery).all() as Array<{ sid: string }>).map((r) => r.sid);
    db.close();
    copyCalls(dbFile, admitted[0]!, arrivals + 1, COPIES);
  }
  const targets = Array.from({ length: COPIES }, (_, k) => arrivals + 1 + k);
  const steps = targets.map((i) => ivrStep(baseUrl, i));
  let cursor = 0;
  const next = () => steps[cursor++ % steps.length]!;
  await load(`${baseUrl}/twilio/ivr`, next, 1);
  await profiled("ivr-step", () => load(`${baseUrl}/twilio/ivr`, next, 5));
  console.log(`\nprofiles in ${out}`);
} finally {
  await hotline.stop().catch(() => {});
  await pgDb?.stop();
  rmSync(dir, { recursive: true, force: true });
}
