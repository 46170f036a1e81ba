import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/clock.js";
import { createLogger } from "../../src/logger.js";
import { TaskRunner } from "../../src/tasks/task-runner.js";

const refused = (status: number) => Object.assign(new Error(`carrier answered ${status}`), { status });

describe("carrier requests run off the webhook path", () => {
  it("a request the carrier refuses (4xx) is given up at once; a timeout, a rate limit, a 5xx or a network error is tried again", async () => {
    const clock = new ManualClock();
    const runner = new TaskRunner(clock, createLogger("silent"), { attempts: 3, baseDelayMs: 100, maxDelayMs: 100 });
    const attempts: Record<string, number> = {};
    const gaveUp: string[] = [];
    const fails = (name: string, err: () => unknown) =>
      runner.run(
        name,
        () => {
          attempts[name] = (attempts[name] ?? 0) + 1;
          return Promise.reject(err());
        },
        () => {
          gaveUp.push(name);
        },
      );
    fails("not in progress", () => refused(400));
    fails("no such call", () => refused(404));
    fails("timeout", () => refused(408));
    fails("rate limited", () => refused(429));
    fails("server error", () => refused(503));
    fails("network", () => new Error("ECONNRESET"));
    await runner.idle();
    expect(gaveUp.sort()).toEqual(["no such call", "not in progress"]);
    await clock.advance(100);
    await runner.idle();
    await clock.advance(100);
    await runner.idle();
    expect(attempts).toEqual({ "not in progress": 1, "no such call": 1, timeout: 3, "rate limited": 3, "server error": 3, network: 3 });
    expect(runner.pending()).toBe(0);
  });
});
