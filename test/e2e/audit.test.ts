import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCallCenter, type CallCenter } from "../support/call-center.js";

const DAY = 86_400_000;
let cc: CallCenter;
let supervisor: { id: string; token: string };
let missed: string;
beforeAll(async () => {
  cc = await startCallCenter({ AUDIT_RETENTION_DAYS: "30" });
  const created = await cc.api("POST", "/api/users", { body: { name: "Sompong", role: "supervisor" } });
  supervisor = { id: created.body.id, token: created.body.token };
  const call = await cc.callIn("+66840000001", ["1"]);
  await call.hangup();
  await cc.settle();
  missed = call.sid;
});
afterAll(async () => cc.stopAll());

type AuditItem = { id: number; at: string; action: string; userId: string; userName: string; callSid: string | null; callbackId: number | null; ids: unknown[]; count: number };
async function audit(query = ""): Promise<{ items: AuditItem[]; total: number }> {
  const res = await cc.api("GET", `/api/audit${query}`);
  expect(res.status).toBe(200);
  return res.body;
}

describe("the audit trail an admin can read", () => {
  it("lists who viewed which call, callback item, backlog page and export, with ids and row counts", async () => {
    const since = new Date(cc.clock.now()).toISOString();
    await cc.api("GET", `/api/calls/${missed}`, { token: supervisor.token });
    const list = await cc.api("GET", "/api/callbacks?status=open", { token: supervisor.token });
    const itemId = list.body.items[0].id as number;
    await cc.api("GET", `/api/callbacks/${itemId}`, { token: supervisor.token });
    await cc.api("GET", "/api/callbacks.csv?status=open", { token: supervisor.token });

    const { items } = await audit(`?user=${supervisor.id}&from=${since}`);
    const byAction = Object.fromEntries(items.map((i) => [i.action, i]));
    expect(byAction.call_viewed).toMatchObject({ userId: supervisor.id, userName: "Sompong", callSid: missed, ids: [missed], count: 1 });
    expect(byAction.callbacks_listed).toMatchObject({ ids: list.body.items.map((i: { id: number }) => i.id), count: list.body.items.length });
    expect(byAction.callback_viewed).toMatchObject({ callbackId: itemId, ids: [itemId], count: 1 });
    expect(byAction.callbacks_exported).toMatchObject({ ids: [itemId], count: 1 });
    // No personal data in the trail itself: ids, never the number.
    expect(JSON.stringify(items)).not.toContain("840000001");
  });

  it("filters by action, user and time, and pages newest first", async () => {
    await cc.api("GET", `/api/calls/${missed}`);
    const views = await audit("?action=call_viewed");
    expect(views.items.every((i) => i.action === "call_viewed")).toBe(true);
    expect(views.items.map((i) => i.userId)).toEqual(["admin", supervisor.id]);
    expect((await audit("?action=audit.call_viewed&user=admin")).total).toBe(1);
    const page = await audit("?limit=1&offset=1");
    expect(page.items).toHaveLength(1);
    expect(page.total).toBeGreaterThan(2);
    expect(page.items[0]!.id).toBe((await audit()).items[1]!.id);
    const later = new Date(cc.clock.now() + 1).toISOString();
    expect((await audit(`?from=${later}`)).total).toBe(0);
    expect((await audit(`?to=${later}&action=call_viewed`)).total).toBe(2);
  });

  it("is for admins only, and a bad filter is a 400", async () => {
    expect((await cc.api("GET", "/api/audit", { token: supervisor.token })).status).toBe(403);
    expect((await cc.api("GET", "/api/audit?from=yesterday")).status).toBe(400);
  });

  it("audit events older than AUDIT_RETENTION_DAYS are deleted by the daily job; newer ones stay", async () => {
    const before = (await audit()).total;
    expect(before).toBeGreaterThan(0);
    await cc.clock.advance(20 * DAY);
    await cc.api("GET", `/api/calls/${missed}`);
    await cc.clock.advance(11 * DAY);
    await cc.settle();
    const { items } = await audit();
    expect(items.map((i) => i.action).sort()).toEqual(["call_viewed", "expired_deleted"]);
    expect(items.find((i) => i.action === "expired_deleted")).toMatchObject({ userId: null, count: before });
  });
});

describe("caching", () => {
  it("every /api/ answer, errors included, tells browsers and proxies to keep no copy", async () => {
    for (const [path, token] of [["/api/callbacks?status=open", undefined], [`/api/calls/${missed}`, undefined], ["/api/audit", "wrong"], ["/api/nothing-here", undefined]] as const) {
      const res = await fetch(`${cc.baseUrl}${path}`, { headers: { authorization: `Bearer ${token ?? "test-admin-token-0123456789"}` } });
      expect(res.headers.get("cache-control"), path).toBe("no-store");
    }
  });
});
