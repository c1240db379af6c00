import { defineConfig } from "vitest/config";
import suite, { databaseSetup } from "../../vitest.config";

/**
 * The suite's own config and database setup (embedded PostgreSQL, whose exit hooks are what can swallow an exit
 * code), run on one fixture (`PARLEY_FIXTURE`), optionally with a further global setup (`PARLEY_FIXTURE_SETUP`)
 * that throws at start or in its teardown. The build setup is left out: the fixtures start no server, and the
 * outer run has built already. `exit-code.test.ts` runs it in a child process; the fixtures sit outside the
 * suite's include pattern, so `npm test` never runs them itself.
 */
const fixture = process.env.PARLEY_FIXTURE;
if (!fixture) throw new Error("PARLEY_FIXTURE names the fixture file to run");
const extraSetup = process.env.PARLEY_FIXTURE_SETUP;
const globalSetup = [databaseSetup];

export default defineConfig({
  test: {
    ...suite.test,
    // One project of its own: the fixture, not the suite's unit and system projects.
    projects: undefined,
    include: [fixture],
    exclude: [],
    // First in, last out: the suite's own teardown (stopping PostgreSQL) runs before the fixture's throws.
    globalSetup: extraSetup ? [extraSetup, ...globalSetup] : globalSetup,
    reporters: ["default"],
    outputFile: undefined,
  },
});
