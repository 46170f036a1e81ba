import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/clock.js";
import { scrubPhoneNumbers } from "../../src/log-scrub.js";
import { createLogger } from "../../src/logger.js";
import { TaskRunner } from "../../src/tasks/task-runner.js";

/** A logger whose lines the test can read, parsed. */
function capturedLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      raw.push(String(chunk));
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { log: createLogger("info", destination), lines, raw };
}

describe("phone numbers in free text", () => {
  it("are replaced however the carrier quotes them", () => {
    expect(scrubPhoneNumbers("The 'To' number +66812345678 is not a valid phone number.")).toBe("The 'To' number [number] is not a valid phone number.");
    expect(scrubPhoneNumbers("to +66 81 234-5678 and 0812345678")).toBe("to [number] and [number]");
    expect(scrubPhoneNumbers("POST /Calls.json?To=%2B66812345678&From=%2b6621300000")).toBe("POST /Calls.json?To=[number]&From=[number]");
  });

  it("leave call SIDs, dates and Twilio's error codes readable", () => {
    const text = "Call CA0123456789abcdef0123456789abcdef not found (20404) at /2010-04-01/Accounts/AC1234567890123456789012345678901a";
    expect(scrubPhoneNumbers(text)).toBe(text);
  });
});

describe("a failed carrier request", () => {
  it("is logged, on every retry and when given up, without the number its error quotes", async () => {
    const { log, lines, raw } = capturedLogger();
    const clock = new ManualClock();
    const runner = new TaskRunner(clock, log, { attempts: 2, baseDelayMs: 100, maxDelayMs: 100 });
    let gaveUp: unknown;
    runner.run(
      "dial agent",
      () => Promise.reject(new Error("The 'To' number +66812345678 is not a valid phone number. (21211)")),
      (err) => {
        gaveUp = err;
      },
    );
    await runner.idle();
    await clock.advance(100);
    await runner.idle();
    expect(gaveUp).toBeInstanceOf(Error);
    expect(lines.map((l) => [l.msg, l.task, l.err])).toEqual([
      ["carrier request failed, retrying", "dial agent", "The 'To' number [number] is not a valid phone number. (21211)"],
      ["carrier request failed for good", "dial agent", "The 'To' number [number] is not a valid phone number. (21211)"],
    ]);
    expect(raw.join("")).not.toMatch(/812345678/);
  });
});

describe("every log line", () => {
  it("has numbers scrubbed in any field at any depth, in error messages and stacks, with the logger's own figures kept", () => {
    const { log, lines, raw } = capturedLogger();
    const err = new Error("dial +66812345678 failed");
    log.child({ peer: "0812345678" }).warn({ deep: { deeper: [{ caller: "+66 81 234 5678" }] }, err, ms: 12345678, sid: "CA0123456789" }, "calling 66812345678");
    expect(raw.join("")).not.toMatch(/812345678|234 5678/);
    const [line] = lines as any[];
    expect(line).toMatchObject({ peer: "[number]", deep: { deeper: [{ caller: "[number]" }] }, ms: 12345678, sid: "CA0123456789", msg: "calling [number]" });
    expect(line.err.message).toBe("dial [number] failed");
    expect(line.err.stack).toContain("dial [number] failed");
    expect(typeof line.time).toBe("number");
  });
});
