// Desks in their own process: agent desktops and wallboards that do nothing but receive. The server pays
// for every push it makes to them; the process they run in is otherwise idle, as a desk's browser is.
//   agents: sign in, go available, and note when each call.offered and call.connected arrives (monotonic
//           clock, comparable with the server process's)
//   supervisors: count what they are sent
import WebSocket from "ws";
import { onParent, tell } from "../lib/child.js";
import { monotonicMs } from "../lib/hrtime.js";

const sockets: WebSocket[] = [];
const counts = new Map<string, number>();
const offers: Array<{ desk: number; callSid: string; at: number }> = [];
const connected: Array<{ desk: number; callSid: string; at: number }> = [];

function open(url: string, token: string, desk: number, agent: boolean): Promise<void> {
  const ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
  let acked: (() => void) | undefined;
  ws.on("message", (raw) => {
    const at = monotonicMs();
    // The type is all most messages need: a prefix read, not a parse of the whole figures document.
    const text = raw.toString("utf8");
    const type = /"type":"([^"]+)"/.exec(text.slice(0, 64))?.[1] ?? "?";
    counts.set(type, (counts.get(type) ?? 0) + 1);
    if (type === "call.offered") offers.push({ desk, callSid: (JSON.parse(text) as { call: { callSid: string } }).call.callSid, at });
    if (type === "call.connected") connected.push({ desk, callSid: (JSON.parse(text) as { callSid: string }).callSid, at });
    if (type === "ack") acked?.();
  });
  sockets.push(ws);
  return new Promise((resolve, reject) => {
    ws.once("open", () => {
      if (!agent) return resolve();
      acked = resolve;
      ws.send(JSON.stringify({ type: "status", status: "available" }));
    });
    ws.once("error", reject);
  });
}

onParent(async (m) => {
  if (m.type === "open") {
    const tokens = m.tokens as string[];
    // `urls`, one per token, when the desks connect to different instances; else `url` for all.
    const urls = m.urls as string[] | undefined;
    for (let i = 0; i < tokens.length; i++) await open(urls?.[i] ?? String(m.url), tokens[i]!, i, Boolean(m.agents));
    tell({ type: "opened", count: sockets.length });
  } else if (m.type === "report") {
    tell({ type: "report", counts: Object.fromEntries(counts), offers, connected });
  } else if (m.type === "stop") {
    await Promise.all(sockets.map((ws) => new Promise<void>((resolve) => (ws.readyState === WebSocket.CLOSED ? resolve() : (ws.once("close", () => resolve()), ws.close())))));
    process.exit(0);
  }
});
tell({ type: "ready" });
