// The build: the server bundled by esbuild into apps/api/dist, the web app by Vite into apps/web/dist. Each output
// carries a stamp, the SHA-256 of the sources it was built from, so a later start can tell whether it is current.
//
//   npm run build                        both, always
//   node scripts/build.mjs --if-stale    only what its sources changed since (npm start outside production, npm test)
//
// Why a bundle for the server: the workspace packages export their TypeScript sources (`./src/*.ts`), which the
// tests, the type checker and `npm run dev` use directly. Compiling each package with tsc would need a second set
// of exports (dist) and a build order for every test run. esbuild reads the same sources once and writes one ES
// module (workspace code inlined, ~1 s) that plain Node runs; the npm packages stay in node_modules, imported as
// they are at runtime — except a copy npm nested under one workspace (packages/workflows/node_modules/inngest),
// which a bare name would not find from apps/api/dist: the bundle imports that one by its relative path.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("..", import.meta.url));
const stampName = ".build-stamp";

/** What each output is built from (folders are walked; node_modules, dist and unit tests are left out). */
const targets = {
  server: {
    outDir: "apps/api/dist",
    sources: ["apps/api/src", "apps/api/package.json", "packages", "package-lock.json", "scripts/build.mjs"],
    build: buildServer,
  },
  web: {
    outDir: "apps/web/dist",
    sources: [
      "apps/web/src",
      "apps/web/index.html",
      "apps/web/vite.config.ts",
      "apps/web/package.json",
      "packages/contracts",
      "package-lock.json",
    ],
    build: buildWeb,
  },
};

function listFiles(relative) {
  const absolute = path.join(root, relative);
  if (!existsSync(absolute)) return [];
  if (!statSync(absolute).isDirectory()) return [relative];
  return readdirSync(absolute, { withFileTypes: true })
    .filter((entry) => !["node_modules", "dist", ".turbo"].includes(entry.name) && !entry.name.endsWith(".test.ts"))
    .flatMap((entry) => listFiles(path.join(relative, entry.name)));
}

function hashSources(target) {
  const hash = createHash("sha256");
  for (const file of target.sources.flatMap(listFiles).sort()) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(path.join(root, file)));
    hash.update("\0");
  }
  return hash.digest("hex");
}

function readStamp(target) {
  try {
    return JSON.parse(readFileSync(path.join(root, target.outDir, stampName), "utf8")).sources;
  } catch {
    return null;
  }
}

/**
 * The outputs whose stamp does not match their sources (or that are missing). Without the sources (a deployment
 * that shipped only the build), nothing can be compared and nothing is stale.
 */
export function staleTargets() {
  if (!existsSync(path.join(root, "apps/api/src"))) return [];
  return Object.keys(targets).filter((name) => readStamp(targets[name]) !== hashSources(targets[name]));
}

/** Whether both outputs exist. */
export function isBuilt() {
  return Object.values(targets).every((target) => existsSync(path.join(root, target.outDir, stampName)));
}

/** Builds the named outputs and stamps them. */
export async function build(names) {
  for (const name of names) {
    const target = targets[name];
    const sources = hashSources(target);
    const started = performance.now();
    await target.build();
    writeFileSync(
      path.join(root, target.outDir, stampName),
      `${JSON.stringify({ sources, builtAt: new Date().toISOString() })}\n`,
    );
    console.log(`build: ${name} in ${((performance.now() - started) / 1000).toFixed(1)} s → ${target.outDir}`);
  }
}

async function buildServer() {
  const esbuild = await import("esbuild");
  const outdir = path.join(root, targets.server.outDir);
  rmSync(outdir, { recursive: true, force: true });
  /** npm packages stay external; one that Node would not find from the bundle's folder is imported by its path. */
  const externalPackages = {
    name: "external-packages",
    setup(builder) {
      builder.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.path.startsWith("@parley/") || args.pluginData?.external) return undefined;
        const options = { kind: args.kind, pluginData: { external: true } };
        const fromImporter = await builder.resolve(args.path, { ...options, resolveDir: args.resolveDir });
        if (fromImporter.errors.length > 0) return { errors: fromImporter.errors };
        if (fromImporter.external) return { path: args.path, external: true };
        // What Node finds from apps/api/dist (which holds no node_modules): the same as from apps/api.
        const fromBundle = await builder.resolve(args.path, { ...options, resolveDir: path.dirname(outdir) });
        if (fromBundle.path === fromImporter.path) return { path: args.path, external: true };
        const relative = path.relative(outdir, fromImporter.path).split(path.sep).join("/");
        return { path: relative.startsWith(".") ? relative : `./${relative}`, external: true };
      });
    },
  };
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: { main: "apps/api/src/main.ts" },
    outdir,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    // Node's own resolution: no bundler-only `module` condition for the packages imported at runtime.
    conditions: [],
    // Error classes keep their names when the bundle renames a clashing identifier.
    keepNames: true,
    sourcemap: true,
    sourcesContent: false,
    plugins: [externalPackages],
    logLevel: "warning",
  });
}

function buildWeb() {
  const run = spawnSync("npm", ["run", "build", "--silent", "-w", "@parley/web"], { cwd: root, stdio: "inherit" });
  if (run.status !== 0) throw new Error(`the web build failed (exit ${run.status})`);
  reportAssetSizes();
}

/** Prints each script and style sheet as served: raw, gzip and brotli (the last two are the build's own files). */
function reportAssetSizes() {
  const assets = path.join(root, targets.web.outDir, "assets");
  const kb = (bytes) => `${(bytes / 1000).toFixed(1)} kB`;
  for (const name of readdirSync(assets).filter((file) => /\.(js|css)$/.test(file))) {
    const size = (suffix) =>
      existsSync(path.join(assets, name + suffix)) ? statSync(path.join(assets, name + suffix)).size : NaN;
    console.log(`  ${name}: ${kb(size(""))} raw, ${kb(size(".gz"))} gzip, ${kb(size(".br"))} brotli`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const ifStale = process.argv.includes("--if-stale");
  const names = ifStale ? staleTargets() : Object.keys(targets);
  if (names.length === 0) console.log("build: server and web app are current");
  try {
    await build(names);
  } catch (error) {
    console.error(`build failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
