import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { startCallCenter, type CallCenter } from "../support/call-center.js";

// A missed caller gets one text in their language, only where a text cannot endanger them.
let cc: CallCenter;
beforeAll(async () => {
  cc = await startCallCenter({ WRAP_UP_SECONDS: "5" });
});
afterAll(async () => cc.stopAll());

const HOUR = 3_600_000;
const textOf = (language: string) => (parse(readFileSync(`voice-flows/prompts/${language}.yaml`, "utf8")) as { texts: Record<string, { text: string }> }).texts["missed-call"]!.text;
const textsTo = (number: string) => cc.carrier.messages().filter((m) => m.to === number);
async function itemOf(number: string) {
  const items = (await cc.api("GET", "/api/callbacks?status=open,claimed,reached,unreachable,not_callable&limit=500")).body.items as Array<{ id: number; number: string }>;
  const found = items.filter((i) => i.number === number).sort((a, b) => b.id - a.id)[0];
  return found ? (await cc.api("GET", `/api/callbacks/${found.id}`)).body : undefined;
}
/** A caller who chooses a language and a topic, then hangs up in the queue. */
async function missed(from: string, keys: string[]) {
  const call = await cc.callIn(from, keys);
  await call.hangup();
  await cc.settle();
}
/** The caller gets through to an agent: their item closes as reached. */
async function getsThrough(from: string) {
  const agent = await cc.addAgent("Through", ["th", "my"], { mode: "answer" });
  const call = await cc.callIn(from, ["1", "3"]);
  await cc.settle();
  await call.hangup();
  await cc.settle();
  await cc.clock.advance(6_000);
  await agent.socket.setStatus("offline");
  await cc.settle();
}

describe("a text message to missed callers", () => {
  it("is sent once, in the caller's language, and its delivery is stored on the item", async () => {
    await missed("+66812000001", ["2", "3"]);
    const [text] = textsTo("+66812000001");
    expect(text).toMatchObject({ body: textOf("my"), from: cc.carrier.hotlineNumber });
    expect(textOf("my")).not.toBe(textOf("th"));
    await cc.clock.advance(3_000);
    await cc.settle();
    expect((await itemOf("+66812000001")).text.status).toBe("delivered");
    // Missing again adds to the same item: no second text.
    await missed("+66812000001", ["2", "3"]);
    expect(textsTo("+66812000001")).toHaveLength(1);
  });

  it("goes at most once a day to a number, and again the next day", async () => {
    const number = "+66812000002";
    await missed(number, ["1", "5"]);
    await getsThrough(number);
    expect((await itemOf(number)).status).toBe("reached");
    await missed(number, ["1", "5"]);
    expect((await itemOf(number)).text.status).toBe("none:sent_today");
    expect(textsTo(number)).toHaveLength(1);
    await getsThrough(number);
    await cc.clock.advance(25 * HOUR);
    await missed(number, ["1", "5"]);
    expect(textsTo(number)).toHaveLength(2);
  });

  it("is never sent for violence or trafficking, to a withheld number or to a landline", async () => {
    await missed("+66812000003", ["1", "1"]);
    await missed("+66812000004", ["1", "2"]);
    await missed("+6621234567", ["1", "3"]);
    await missed("anonymous", ["1", "3"]);
    await cc.clock.advance(3_000);
    await cc.settle();
    for (const n of ["+66812000003", "+66812000004", "+6621234567", "anonymous"]) expect(textsTo(n)).toEqual([]);
    expect((await itemOf("+66812000003")).text.status).toBe("none:topic");
    expect((await itemOf("+66812000004")).text.status).toBe("none:topic");
    expect((await itemOf("+6621234567")).text.status).toBe("none:not_mobile");
    expect((await itemOf("anonymous")).text.status).toBe("none:withheld");
  });

  it("records a text the phone never received as undelivered", async () => {
    cc.carrier.endpoint("+66812000005").setMode("busy");
    await missed("+66812000005", ["1", "4"]);
    await cc.clock.advance(3_000);
    await cc.settle();
    expect(textsTo("+66812000005")).toHaveLength(1);
    expect((await itemOf("+66812000005")).text.status).toBe("undelivered");
  });
});
