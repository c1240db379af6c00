import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * The tests start the server as production runs it, built (apps/api/dist, apps/web/dist for the browser tests):
 * before any test, whatever changed since the last build is rebuilt — nothing when both are current (~0.3 s to
 * hash the sources), the server in ~3 s, the web app in ~15 s. Once per run, so test files never build in parallel.
 */
export default function buildOnce(): void {
  const run = spawnSync(process.execPath, ["scripts/build.mjs", "--if-stale"], {
    cwd: fileURLToPath(new URL("../..", import.meta.url)),
    stdio: "inherit",
  });
  if (run.status !== 0) throw new Error(`the build failed (exit ${run.status}): the tests need the built server`);
}
