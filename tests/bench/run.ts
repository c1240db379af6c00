// Runs every benchmark in this folder in turn; each prints its own figures and ratios.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const folder = fileURLToPath(new URL(".", import.meta.url));
const only = process.argv[2];
let failed = 0;
for (const file of readdirSync(folder)
  .filter((name) => name.endsWith(".bench.ts"))
  .sort()) {
  if (only && !file.includes(only)) continue;
  console.log(`\n# ${file}`);
  const run = spawnSync(process.execPath, ["--import", "tsx", `${folder}${file}`], { stdio: "inherit" });
  if (run.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
