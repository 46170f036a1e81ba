import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    // End-to-end files each start one in-process server; two cores, so two at a time.
    maxWorkers: 2,
    // A ceiling for a test that hangs, not a speed goal (those live in npm run bench): tests that start
    // child servers (crash, restart, drain) need tens of seconds on a loaded two-core machine.
    testTimeout: 90_000,
    hookTimeout: 60_000,
  },
});
