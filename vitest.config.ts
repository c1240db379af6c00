import { defineConfig } from "vitest/config";

/** Builds what changed before any test (the tests start the built server). */
export const buildSetup = "tests/support/build-setup.ts";
/** One PostgreSQL for the run with a migrated template database. */
export const databaseSetup = "packages/testing/src/global-setup.ts";

export default defineConfig({
  test: {
    include: ["packages/**/src/**/*.test.ts", "apps/**/src/**/*.test.ts", "tests/**/*.test.ts"],
    exclude: ["**/node_modules/**", "tests/bench/**"],
    globalSetup: [buildSetup, databaseSetup],
    testTimeout: 30_000,
    // A poll waits for a real condition (a count in the page, a row in the database) and returns as soon as it
    // holds; on a loaded 2-core machine the browser and the server can take seconds, so it may wait up to 10 s.
    expect: { poll: { timeout: 10_000 } },
    hookTimeout: 60_000,
    pool: "forks",
    fileParallelism: true,
    maxWorkers: 2,
    // .ci/run reads the JSON report for its closing "N passed, N failed" line.
    reporters: process.env.PARLEY_TEST_REPORT ? ["default", "json"] : ["default"],
    outputFile: process.env.PARLEY_TEST_REPORT ? { json: process.env.PARLEY_TEST_REPORT } : undefined,
  },
});
