// The bench's own PostgreSQL: a cluster in a temporary directory (the tests' startPostgres: initdb and
// pg_ctl, as the `postgres` user when run as root), one database for the hotline, and the CPU the whole
// cluster uses, read from /proc. Nothing of it outlives the section.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import pg from "pg";
import { startPostgres } from "../../test/support/postgres.js";

export interface BenchPostgres {
  /** DATABASE_URL of the hotline's database (empty; the hotline migrates it at start). */
  url: string;
  /** A connection of the section's own to that database, for reading what the hotline wrote. */
  client: pg.Client;
  /** CPU time the whole cluster (postmaster, its background processes, every backend) has used, in ms. */
  cpuMs(): number;
  stop(): Promise<void>;
}

/**
 * Debian's PostgreSQL as the tests run it (test/support/postgres.ts): durability is off there (fsync,
 * synchronous_commit, full_page_writes), so the figures leave out the disk and measure CPU and round trips.
 */
export async function startBenchPostgres(): Promise<BenchPostgres> {
  const server = await startPostgres();
  try {
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    await admin.query("create database hotline_bench");
    // The postmaster: the parent of this very backend. Every process of the cluster is its child.
    const { rows } = await admin.query<{ pid: number }>("select pg_backend_pid() as pid");
    const postmaster = parentOf(rows[0]!.pid);
    await admin.end();
    const url = new URL(server.url);
    url.pathname = "/hotline_bench";
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    return {
      url: url.toString(),
      client,
      cpuMs: () => clusterCpuMs(postmaster),
      async stop() {
        await client.end().catch(() => {});
        await server.stop();
      },
    };
  } catch (err) {
    await server.stop();
    throw err;
  }
}

let ticksPerSecond: number | undefined;
const clockTicks = () => (ticksPerSecond ??= Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100);

/** /proc/<pid>/stat's fields after the command name: [state, ppid, …]; utime is [11], stime [12], cutime [13], cstime [14]. */
function statFields(pid: number | string): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    return text.slice(text.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

function parentOf(pid: number): number {
  const f = statFields(pid);
  if (!f) throw new Error(`no /proc/${pid}/stat: cannot find PostgreSQL's processes`);
  return Number(f[1]);
}

/**
 * The postmaster's own CPU, the CPU of its children that have exited (cutime/cstime, once reaped), and
 * that of every child alive now. Clock ticks (10 ms): read over seconds of load, not single requests.
 */
export function clusterCpuMs(postmaster: number): number {
  const own = statFields(postmaster);
  if (!own) return NaN;
  let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const f = statFields(entry);
    if (f && Number(f[1]) === postmaster) ticks += Number(f[11]) + Number(f[12]);
  }
  return (ticks * 1000) / clockTicks();
}

/** CPU time (user + system) a process has used, in ms, from /proc (any process of this machine). */
export function processCpuMs(pid: number | undefined): number {
  const f = pid === undefined ? undefined : statFields(pid);
  return f ? ((Number(f[11]) + Number(f[12])) * 1000) / clockTicks() : NaN;
}

/**
 * The PostgreSQL twin of webhook.ts's copyCalls: one stored call (its row and its events) copied `count`
 * times under new CallSids and numbers, in two statements (generate_series), so the copy takes seconds,
 * not one round trip per row. The SIDs and numbers are the ones sidOf/numberOf give in webhook.ts.
 */
export async function copyCallsPg(client: pg.Client, template: string, first: number, count: number): Promise<void> {
  const columnsOf = async (table: string) =>
    (await client.query<{ name: string }>("select column_name as name from information_schema.columns where table_schema = current_schema() and table_name = $1 order by ordinal_position", [table])).rows.map((r) => r.name);
  const sid = `'CA' || lpad(to_hex(i), 32, '0')`;
  const number = `'+668' || right((10000000 + i)::text, 8)`;
  // A copy holds no line, as in copyCalls (bench/sections/webhook.ts).
  const rest = (await columnsOf("calls")).filter((c) => !["sid", "from_raw", "from_e164", "holds_line"].includes(c)).map((c) => `"${c}"`);
  const eventColumns = (await columnsOf("events")).filter((c) => !["id", "call_sid", "dedupe_key"].includes(c)).map((c) => `"${c}"`);
  await client.query("begin");
  try {
    await client.query(
      `insert into calls (sid, from_raw, from_e164, holds_line, ${rest.join(", ")}) select ${sid}, ${number}, ${number}, false, ${rest.map((c) => `c.${c}`).join(", ")} from calls c, generate_series($1::int, $2::int) i where c.sid = $3`,
      [first, first + count - 1, template],
    );
    await client.query(
      `insert into events (call_sid, ${eventColumns.join(", ")}) select ${sid}, ${eventColumns.map((c) => `e.${c}`).join(", ")} from events e, generate_series($1::int, $2::int) i where e.call_sid = $3 order by i, e.id`,
      [first, first + count - 1, template],
    );
    await client.query("commit");
  } catch (err) {
    await client.query("rollback");
    throw err;
  }
  // Fresh statistics, as autovacuum would have them after a day of such traffic.
  await client.query("analyze calls");
  await client.query("analyze events");
}
