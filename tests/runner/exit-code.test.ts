import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../support/server";

const fixtures = path.join(repoRoot, "tests/runner/fixtures");

/** Runs Vitest in a child process on one fixture through the suite's config and global setup (embedded PostgreSQL). */
function runFixture(options: { fixture: string; setup?: "setup" | "teardown" }) {
  return new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = spawn(
      path.join(repoRoot, "node_modules/.bin/vitest"),
      ["run", "--config", "tests/runner/fixture.config.ts"],
      {
        cwd: repoRoot,
        env: {
          ...process.env,
          PARLEY_TEST_REPORT: "",
          PARLEY_FIXTURE: `tests/runner/fixtures/${options.fixture}`,
          PARLEY_FIXTURE_SETUP: options.setup ? path.join(fixtures, "throwing-setup.ts") : "",
          PARLEY_FIXTURE_THROW: options.setup ?? "",
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, output }));
  });
}

// Each test runs a whole Vitest with its own PostgreSQL in a child process: ~5 s on an idle machine, 20-30 s while
// the rest of the suite (browsers, servers) loads both cores, which is when it runs.
describe("the test run's exit code", { timeout: 120_000 }, () => {
  it("is 0 when every test passed", async () => {
    const run = await runFixture({ fixture: "passing.fixture.ts" });
    expect(run.output).toContain("1 passed");
    expect(run.code).toBe(0);
  });

  it("is non-zero when a test fails", async () => {
    const run = await runFixture({ fixture: "failing.fixture.ts" });
    expect(run.output).toContain("1 failed");
    expect(run.code).not.toBe(0);
  });

  it("is non-zero when a test file fails to load", async () => {
    const run = await runFixture({ fixture: "unloadable.fixture.ts" });
    expect(run.output).toContain("this file fails to load on purpose");
    expect(run.code).not.toBe(0);
  });

  it("is non-zero when a global setup throws", async () => {
    const run = await runFixture({ fixture: "passing.fixture.ts", setup: "setup" });
    expect(run.output).toContain("global setup fails on purpose");
    expect(run.code).not.toBe(0);
  });

  it("is non-zero when a global teardown throws", async () => {
    const run = await runFixture({ fixture: "passing.fixture.ts", setup: "teardown" });
    expect(run.output).toContain("1 passed");
    expect(run.output).toContain("global teardown fails on purpose");
    expect(run.code).not.toBe(0);
  });
});
