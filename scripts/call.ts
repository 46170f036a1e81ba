/**
 * Calls the hotline through a running simulator's /sim API and prints what the caller hears.
 *   npx tsx scripts/call.ts --from +66812345678 --keys 1,5 [--to +6621234567] [--sim http://127.0.0.1:3001]
 * Each entry of --keys is pressed at the next menu (Gather) the call reaches; then the call hangs up.
 * Without --sim (or SIMULATOR_URL) it finds the carrier where `npm start` put it: PORT, HOST and SIMULATOR_PORT
 * read as the server reads them.
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import { envSchema, simulatorPort } from "../src/config.js";

const server = envSchema.pick({ PORT: true, HOST: true, SIMULATOR_PORT: true }).parse(process.env);
// A server listening on every address is reached on loopback; an IPv6 address goes in brackets.
const host = server.HOST === "0.0.0.0" || server.HOST === "::" ? "127.0.0.1" : server.HOST.includes(":") ? `[${server.HOST}]` : server.HOST;

const args = z
  .object({
    from: z.string().regex(/^\+?[0-9]{3,15}$/, "--from must be a phone number"),
    to: z.string().optional(),
    keys: z.string().regex(/^[0-9*#,]*$/, "--keys must be keys separated by commas").default(""),
    sim: z.url().default(process.env.SIMULATOR_URL ?? `http://${host}:${simulatorPort(server)}`),
    wait: z.coerce.number().min(1).max(600).default(30),
  })
  .parse(parseArgs({ options: { from: { type: "string" }, to: { type: "string" }, keys: { type: "string" }, sim: { type: "string" }, wait: { type: "string" } } }).values);

interface Prompt { verb: string; text?: string; url?: string; language?: string; during?: string }
interface CallView { sid: string; status: string; state: string; transcript: Prompt[] }

async function api(method: string, path: string, body?: unknown): Promise<CallView> {
  const res = await fetch(new URL(path, args.sim), {
    method,
    headers: body ? { "Content-Type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as CallView;
}

function describe(p: Prompt): string {
  const where = p.during ? ` (${p.during})` : "";
  if (p.verb === "play") return `♪ ${decodeURIComponent((p.url ?? "").split("?")[0]?.split("/").pop() ?? "")}${where}`;
  if (p.verb === "say") return `🗣 [${p.language ?? "-"}] ${p.text ?? ""}${where}`;
  return `${p.verb}: ${p.text ?? ""}`;
}

/** States in which the call only waits for a person (a key, an agent): time to hang up. */
const WAITING_ON_PEOPLE = new Set(["gather", "conference", "dial", "bridged"]);

/** A human-facing tool against a live simulator: it polls the real clock, unlike the tests. */
async function main(): Promise<void> {
  const keys = args.keys.split(",").filter(Boolean);
  let call = await api("POST", "/sim/calls", { from: args.from, ...(args.to ? { to: args.to } : {}) });
  console.log(`call ${call.sid} from ${args.from}`);
  let printed = 0;
  let lastState = "";
  const deadline = Date.now() + args.wait * 1000;
  while (Date.now() < deadline) {
    call = await api("GET", `/sim/calls/${call.sid}`);
    for (const p of call.transcript.slice(printed)) console.log("  " + describe(p));
    printed = call.transcript.length;
    if (call.state !== lastState) console.log(`  … ${call.state}`);
    lastState = call.state;
    if (call.status !== "ringing" && call.status !== "in-progress" && call.status !== "queued") break;
    if (call.state === "gather" && keys.length > 0) {
      const digits = keys.shift() ?? "";
      console.log(`  ⌨ press ${digits}`);
      await api("POST", `/sim/calls/${call.sid}/press`, { digits });
      lastState = "";
    } else if (keys.length === 0 && WAITING_ON_PEOPLE.has(call.state)) {
      break; // nothing left to press: the caller has heard where the call went and hangs up
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  if (call.status === "in-progress" || call.status === "ringing") {
    await api("POST", `/sim/calls/${call.sid}/hangup`);
    console.log("  ☎ hung up");
  }
  console.log(`final status: ${(await api("GET", `/sim/calls/${call.sid}`)).status}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
