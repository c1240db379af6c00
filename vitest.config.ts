import { defineConfig } from "vitest/config";

/** Builds what changed before any test (the tests start the built server). */
export const buildSetup = "tests/support/build-setup.ts";
/** One PostgreSQL for the run with a migrated template database. */
export const databaseSetup = "packages/testing/src/global-setup.ts";

/** Unit tests: beside the code, no database, no server. */
const unitTests = ["packages/**/src/**/*.test.ts", "apps/**/src/**/*.test.ts"];
/** Tests on real PostgreSQL, over HTTP or in a browser: `*.int.test.ts` beside the code, and everything in tests/. */
const systemTests = ["packages/**/src/**/*.int.test.ts", "apps/**/src/**/*.int.test.ts", "tests/**/*.test.ts"];

const timeouts = {
  testTimeout: 30_000,
  // A poll waits for a real condition (a count in the page, a row in the database) and returns as soon as it
  // holds; on a loaded 2-core machine the browser and the server can take seconds, so it may wait up to 10 s.
  expect: { poll: { timeout: 10_000 } },
  hookTimeout: 60_000,
};

export default defineConfig({
  test: {
    ...timeouts,
    pool: "forks",
    fileParallelism: true,
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: "unit",
          include: unitTests,
          exclude: ["**/node_modules/**", "**/*.int.test.ts"],
          ...timeouts,
          // Pure functions and fakes: one module graph per worker instead of one per file. Loading the modules
          // anew for each of these ~70 files was most of their time (33 s of wall alone against 9 s shared).
          isolate: false,
        },
      },
      {
        test: {
          name: "system",
          include: systemTests,
          exclude: ["**/node_modules/**", "tests/bench/**"],
          ...timeouts,
          globalSetup: [buildSetup, databaseSetup],
          // Each file has its own database, servers and browser, and no file mocks a module or changes the
          // environment: sharing the module graph per worker is safe, and loading it anew for each file cost 216 s
          // of the workers' time in a run (26 s shared; the run 704 s → 573 s).
          isolate: false,
        },
      },
    ],
    // .ci/run reads the JSON report for its closing "N passed, N failed" line.
    reporters: process.env.PARLEY_TEST_REPORT ? ["default", "json"] : ["default"],
    outputFile: process.env.PARLEY_TEST_REPORT ? { json: process.env.PARLEY_TEST_REPORT } : undefined,
  },
});
