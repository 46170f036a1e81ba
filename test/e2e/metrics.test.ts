import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCallCenter, type CallCenter } from "../support/call-center.js";
import { startHotline } from "../support/hotline-fixture.js";

const METRICS_TOKEN = "metrics-token-0123456789";
const CALLER = "+66812223333";

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The Prometheus text format (version 0.0.4), as much of it as a scrape needs: # lines, then name{labels} value. */
function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
    samples.push({ name: m[1]!, labels, value: Number(m[3] === "+Inf" ? Infinity : m[3]) });
  }
  return samples;
}

let cc: CallCenter;
async function scrape(): Promise<{ text: string; samples: Sample[] }> {
  const res = await fetch(`${cc.baseUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  return { text, samples: parseMetrics(text) };
}
const value = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

beforeAll(async () => {
  cc = await startCallCenter({ METRICS_TOKEN, LINES: "5" });
});
afterAll(async () => cc.stopAll());

describe("GET /metrics", () => {
  it("without the metrics token, or with a user's token, answers 401", async () => {
    expect((await fetch(`${cc.baseUrl}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${cc.baseUrl}/metrics`, { headers: { authorization: "Bearer test-admin-token-0123456789" } });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: "unauthorized" });
  });

  it("the gauges follow a call through the queue to an agent and out, and no label holds a number or a CallSid", async () => {
    let { samples } = await scrape();
    expect(value(samples, "hotline_lines_capacity")).toBe(5);
    expect(value(samples, "hotline_lines_in_use")).toBe(0);
    expect(value(samples, "hotline_queue_waiting", { language: "my" })).toBe(0);

    const agent = await cc.addAgent("Aye", ["my"], { mode: "manual", available: false });
    ({ samples } = await scrape());
    expect(value(samples, "hotline_agents", { state: "offline" })).toBe(1);
    expect(value(samples, "hotline_websocket_connections", { role: "agent" })).toBe(1);

    // Burmese, then trafficking: nobody available, so the caller waits in the Burmese queue.
    const call = await cc.callIn(CALLER, ["2", "2"]);
    ({ samples } = await scrape());
    expect(value(samples, "hotline_lines_in_use")).toBe(1);
    expect(value(samples, "hotline_queue_waiting", { language: "my" })).toBe(1);
    expect(value(samples, "hotline_queue_waiting", { language: "th" })).toBe(0);

    await agent.socket.setStatus("available");
    await cc.settle();
    const [leg] = cc.carrier.endpoint(agent.endpoint).ringing();
    expect(leg).toBeDefined();
    leg!.answer();
    await cc.settle();
    ({ samples } = await scrape());
    expect(value(samples, "hotline_queue_waiting", { language: "my" })).toBe(0);
    expect(value(samples, "hotline_agents", { state: "on_call" })).toBe(1);

    await call.hangup();
    await cc.settle();
    const scraped = await scrape();
    samples = scraped.samples;
    expect(value(samples, "hotline_lines_in_use")).toBe(0);
    expect(value(samples, "hotline_agents", { state: "on_call" })).toBe(0);
    expect(value(samples, "hotline_agents", { state: "wrap_up" })).toBe(1);

    // Webhooks by route pattern and status class; HTTP durations by route pattern.
    expect(value(samples, "hotline_webhooks_total", { route: "/twilio/voice", status_class: "2xx" })).toBe(1);
    expect(value(samples, "http_request_duration_seconds_count", { route: "/twilio/ivr", method: "POST" })).toBeGreaterThanOrEqual(2);
    expect(value(samples, "hotline_twiml_apologies_total")).toBeUndefined();
    expect(samples.some((s) => s.name === "process_resident_memory_bytes")).toBe(true);
    const digits = CALLER.slice(1);
    for (const s of samples) {
      for (const v of Object.values(s.labels)) {
        expect(v, s.name).not.toMatch(/CA[0-9a-f]{32}/);
        expect(v, s.name).not.toContain(digits);
      }
    }
    expect(scraped.text).not.toContain(call.sid);
  });

  it("the callback backlog figures count the missed caller", async () => {
    const call = await cc.callIn("+66812224444", []);
    await call.hangup();
    await cc.settle();
    await cc.clock.advance(30_000);
    const { samples } = await scrape();
    expect(value(samples, "hotline_callbacks_open")).toBe(1);
    expect(value(samples, "hotline_callbacks_overdue")).toBe(0);
    expect(value(samples, "hotline_callbacks_oldest_age_seconds")).toBe(30);
  });

  it("a URL with a CallSid in it is recorded under its route pattern", async () => {
    const sid = `CA${"d".repeat(32)}`;
    await cc.api("GET", `/api/calls/${sid}`);
    const { text, samples } = await scrape();
    expect(value(samples, "http_request_duration_seconds_count", { route: "/api/calls/:callSid", status_code: "404" })).toBe(1);
    expect(text).not.toContain(sid);
  });
});

describe("without METRICS_TOKEN", () => {
  it("the server has no /metrics", async () => {
    const h = await startHotline();
    try {
      expect((await fetch(`${h.baseUrl}/metrics`)).status).toBe(404);
    } finally {
      await h.stop();
    }
  });
});
