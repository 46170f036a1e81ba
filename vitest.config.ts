import { defineConfig } from "vitest/config";

/**
 * The storage, lines, routing, callback, restart and crash tests run once more on PostgreSQL (one test
 * cluster for the project, a database per file), as do the tests of several instances on one database.
 */
const onBothEngines = [
  "test/e2e/routing.test.ts",
  "test/e2e/callbacks.test.ts",
  "test/e2e/answered.test.ts",
  "test/e2e/concurrency.test.ts",
  "test/e2e/restart.test.ts",
  "test/e2e/crash.test.ts",
  "test/e2e/crash-storm.test.ts",
  "test/e2e/impatient-storm.test.ts",
  "test/e2e/ivr.test.ts",
  "test/e2e/cases.test.ts",
  "test/e2e/transfer.test.ts",
  "test/e2e/reports.test.ts",
  "test/e2e/personal-data.test.ts",
  "test/e2e/prompt-recordings.test.ts",
  "test/unit/storage.test.ts",
  "test/db/lines-held.test.ts",
  "test/db/executed.test.ts",
  "test/db/menu-step-batch.test.ts",
];

export default defineConfig({
  test: {
    // End-to-end files each start one in-process server; two cores, so two at a time.
    maxWorkers: 2,
    // A ceiling for a test that hangs, not a speed goal (those live in npm run bench): tests that start
    // child servers (crash, restart, drain) need tens of seconds on a loaded two-core machine.
    testTimeout: 90_000,
    hookTimeout: 60_000,
    // The server as `npm start` runs it (dist/server.mjs), for the tests that start it in its own process.
    globalSetup: ["test/support/build-global-setup.ts"],
    projects: [
      { extends: true, test: { name: "sqlite", include: ["test/**/*.test.ts", "src/**/*.test.ts"], exclude: ["test/cluster/**"] } },
      {
        extends: true,
        test: {
          name: "postgres",
          include: [...onBothEngines, "test/cluster/**/*.test.ts"],
          env: { HOTLINE_TEST_ENGINE: "postgres" },
          // The cluster tests (1,000 races, storms through the balancer, restarts) take 30–80 s on a busy
          // two-core machine, and the storms wait for each other's turn: a higher ceiling, still not a goal.
          testTimeout: 300_000,
          hookTimeout: 300_000,
          globalSetup: ["test/support/build-global-setup.ts", "test/support/pg-global-setup.ts"],
        },
      },
    ],
  },
});
