// npm start: runs the built server (apps/api/dist/main.js), which serves the built web app (apps/web/dist).
// Outside production it first rebuilds whatever its sources changed since the last build (nothing, usually:
// the check hashes the sources, ~0.1 s). With NODE_ENV=production it never builds (the build tools are
// development dependencies) and refuses to start from a build that is missing or older than the sources next to
// it. Either way no TypeScript runs: the server is plain JavaScript.
import { existsSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { build, isBuilt, root, staleTargets } from "./build.mjs";

const main = path.join(root, "apps/api/dist/main.js");
const stale = staleTargets();
if (process.env.NODE_ENV === "production") {
  if (!isBuilt() || !existsSync(main)) {
    console.error("No build to start: run `npm run build` first (NODE_ENV=production never builds).");
    process.exit(1);
  }
  if (stale.length > 0) {
    console.error(`The build of ${stale.join(" and ")} is older than its sources: run \`npm run build\` first.`);
    process.exit(1);
  }
} else if (stale.length > 0) {
  await build(stale);
}
// Stack traces in the logs point into the TypeScript sources (the bundle's source map).
process.setSourceMapsEnabled(true);
await import(pathToFileURL(main).href);
