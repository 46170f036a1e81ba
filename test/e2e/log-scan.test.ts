// Everything the hotline logs through a whole working day in miniature, at debug level: no caller's
// number, no note and no stand-alone run of 7 or more digits may appear in any line.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findCall } from "../../src/calls/call-store.js";
import { createLogger } from "../../src/logger.js";
import { startCallCenter, type CallCenter } from "../support/call-center.js";

const text: string[] = [];
let cc: CallCenter;
beforeAll(async () => {
  const log = createLogger("debug", { write: (line: string) => void text.push(line) });
  cc = await startCallCenter({ LOG_LEVEL: "debug", WRAP_UP_SECONDS: "5", RECONCILE_SECONDS: "3600" }, { log });
});
afterAll(async () => cc.stopAll());

const CALLER = "+66812345601";
const MISSED = "+66898765402";
const AGENCY = "+6653100777";
const NOTE = "Mother hides at her sister's house behind the Lampang market";

describe("the logs of a whole scenario", () => {
  it("never hold a number, a note or a long digit run", async () => {
    const db = cc.hotline.services.ctx.db;
    const agency = await cc.api("POST", "/api/agencies", { body: { name: "Lampang shelter (test)", type: "child_family_shelter", province: "52", endpoint: AGENCY } });
    expect(agency.status).toBe(201);
    cc.carrier.endpoint(AGENCY).setMode("answer");
    const agent = await cc.addAgent("Ploy", ["th"], { mode: "answer" });

    // A call through the IVR and the queue to the agent, a disposition with a note, a cold transfer.
    const call = await cc.callIn(CALLER, ["1", "1"]);
    await cc.settle();
    expect((await findCall(db, call.sid))?.state).toBe("connected");
    agent.socket.send({ type: "disposition", callSid: call.sid, outcome: "referred", note: NOTE });
    await agent.socket.next("ack", (m) => m.of === "disposition");
    const transfer = await cc.api("POST", `/api/calls/${call.sid}/transfers`, { token: agent.token, body: { agencyId: agency.body.id, mode: "cold" } });
    expect(transfer.status).toBe(201);
    await cc.settle();
    for (const leg of cc.carrier.liveCalls()) await leg.hangup();
    await cc.settle();
    await cc.clock.advance(5_000);
    await cc.settle();

    // A caller who hangs up in the menu is called back and reached.
    const missed = await cc.callIn(MISSED, ["1"]);
    await missed.hangup();
    await cc.settle();
    const item = (await cc.api("GET", "/api/callbacks?status=open")).body.items.find((i: { number: string }) => i.number === MISSED);
    cc.carrier.endpoint(MISSED).setMode("answer");
    expect((await cc.api("POST", `/api/callbacks/${item.id}/claim`, { token: agent.token })).status).toBe(200);
    expect((await cc.api("POST", `/api/callbacks/${item.id}/call`, { token: agent.token })).status).toBe(202);
    await cc.settle();
    expect((await cc.api("GET", `/api/callbacks/${item.id}`)).body.status).toBe("reached");
    for (const leg of cc.carrier.liveCalls()) await leg.hangup();
    await cc.settle();
    // A supervisor reads the record and the export; a number-like path and a bad body are refused.
    expect((await cc.api("GET", `/api/calls/${call.sid}`)).status).toBe(200);
    expect((await cc.api("GET", "/api/callbacks.csv")).status).toBe(200);
    expect((await cc.api("GET", `/api/calls/${CALLER}`)).status).toBe(404);
    expect((await cc.api("POST", "/api/agencies", { body: { name: `Shelter ${MISSED}`, type: "police", province: "99" } })).status).toBe(400);

    const all = text.join("");
    expect(text.length).toBeGreaterThan(50);
    expect(cc.hotline.services.log.isLevelEnabled("debug")).toBe(true);
    for (const number of [CALLER, MISSED, AGENCY]) expect(all).not.toContain(number.slice(-7));
    for (const words of NOTE.split(" ").filter((w) => w.length > 4)) expect(all).not.toContain(words);
    // The logger's own figures (time, pid, durations) are JSON numbers; any other run of 7+ digits is not allowed.
    const strings = all.replace(/":-?\d+(\.\d+)?/g, '":0');
    expect(strings.match(/(?<![A-Za-z0-9])\d{7,}/g) ?? []).toEqual([]);
  });
});
