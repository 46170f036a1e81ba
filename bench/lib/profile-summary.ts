// A V8 CPU profile summed by component of the webhook path (bench/README.md's "CPU per component" table).
// Each sample's self time goes to the first frame, from the sampled one up to the root, that names a
// component; a native function (no script) goes to what called it, except SQLite's and HMAC's own work.

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  hitCount?: number;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export const COMPONENTS = [
  "Node HTTP + Fastify + hooks",
  "drizzle: query building, row mapping",
  "SQLite (better-sqlite3, native)",
  "storage port: transaction, ALS, promises",
  "own code (routes, flow, rendering, trail)",
  "logging (pino, redaction, scrubber)",
  "HMAC signature",
  "garbage collection",
  "zod validation",
  "V8/libuv outside JS ((program))",
  "other",
] as const;
export type Component = (typeof COMPONENTS)[number];

function byUrl(url: string): Component | undefined {
  if (!url) return undefined;
  if (/node_modules\/(pino|fast-redact|sonic-boom|thread-stream|fast-safe-stringify|quick-format-unescaped|@pinojs)|src\/(log-scrub|logger)\.ts|http\/access-log\.ts/.test(url)) return "logging (pino, redaction, scrubber)";
  if (/node_modules\/(zod|fastify-type-provider-zod)|webhook-schemas\.ts|http\/errors\.ts/.test(url)) return "zod validation";
  if (/telephony\/signature\.ts|verify-signature\.ts|node:(internal\/)?crypto/.test(url)) return "HMAC signature";
  if (/node_modules\/better-sqlite3/.test(url)) return "SQLite (better-sqlite3, native)";
  if (/node_modules\/drizzle-orm/.test(url)) return "drizzle: query building, row mapping";
  if (/db\/(sqlite-storage|storage)\.ts|node:async_hooks|node:internal\/async_hooks|node:internal\/async_local_storage|src\/events\/event-log\.ts/.test(url)) return "storage port: transaction, ALS, promises";
  if (/\/(src|db)\//.test(url)) return "own code (routes, flow, rendering, trail)";
  if (/node_modules\/(fastify|@fastify|find-my-way|avvio|light-my-request|fast-json-stringify|fast-querystring|secure-json-parse|fast-content-type-parse|content-type|process-warning|toad-cache|abstract-logging|rfdc|fast-uri|ret|safe-regex2)|node:(_http|http|net|stream|internal\/(http|streams|stream_base|net|url|querystring|timers|buffer|event_target|events)|events|buffer|querystring|url|string_decoder)/.test(url)) return "Node HTTP + Fastify + hooks";
  return undefined;
}

/** Self time (µs) per component, and the profile's total non-idle time. */
export function summarize(profile: CpuProfile): { us: Record<Component, number>; busyUs: number; byScript: Array<[string, number]> } {
  const nodes = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    nodes.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    // A sample's time is the delta to the next sample.
    const dt = profile.timeDeltas[i + 1] ?? 0;
    self.set(id, (self.get(id) ?? 0) + dt);
  }
  const categoryOf = new Map<number, Component>();
  const classify = (id: number): Component => {
    const known = categoryOf.get(id);
    if (known) return known;
    const node = nodes.get(id)!;
    const { functionName: name, url } = node.callFrame;
    let c: Component | undefined;
    if (name === "(garbage collector)") c = "garbage collection";
    else if (name === "(program)") c = "V8/libuv outside JS ((program))";
    else c = byUrl(url);
    if (!c && !url) {
      const up = parent.get(id);
      const parentUrl = up === undefined ? "" : nodes.get(up)!.callFrame.url;
      // better-sqlite3's statements are native, called from drizzle's session or the storage's own statements.
      if (/drizzle-orm\/better-sqlite3|db\/(sqlite-storage|prepared|checkpointer)\.ts|node_modules\/better-sqlite3/.test(parentUrl) && /^(run|all|get|iterate|exec|prepare|raw|pluck|bind|values)$/.test(name)) c = "SQLite (better-sqlite3, native)";
      else if (/signature\.ts|node:internal\/crypto|node:crypto/.test(parentUrl)) c = "HMAC signature";
      else if (up !== undefined && name !== "(root)") c = classify(up);
    }
    if (!c && url) {
      const up = parent.get(id);
      c = up !== undefined && nodes.get(up)!.callFrame.functionName !== "(root)" ? classify(up) : "other";
    }
    c ??= "other";
    categoryOf.set(id, c);
    return c;
  };
  const us = Object.fromEntries(COMPONENTS.map((c) => [c, 0])) as Record<Component, number>;
  const scripts = new Map<string, number>();
  let busyUs = 0;
  for (const [id, t] of self) {
    const node = nodes.get(id)!;
    if (node.callFrame.functionName === "(idle)") continue;
    busyUs += t;
    us[classify(id)] += t;
    const key = `${node.callFrame.url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*\/wt-[^/]+\//, "") || "(native)"} ${node.callFrame.functionName}`;
    scripts.set(key, (scripts.get(key) ?? 0) + t);
  }
  const byScript = [...scripts].sort((a, b) => b[1] - a[1]);
  return { us, busyUs, byScript };
}
