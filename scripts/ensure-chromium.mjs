// Browser tests drive Debian's Chromium (never a downloaded browser). Installs it when missing and we may.
import { execSync } from "node:child_process";
import { existsSync } from "node:fs";

const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!existsSync(chromium)) {
  if (process.getuid?.() !== 0) {
    console.error(`Chromium not found at ${chromium}: run 'sudo apt-get install -y chromium' or set CHROMIUM_PATH.`);
    process.exit(1);
  }
  console.log("Installing Chromium from Debian (browser tests)…");
  execSync("apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils", {
    stdio: "inherit",
  });
}
