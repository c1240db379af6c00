import { readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { defineConfig, type Plugin } from "vite";
import solid from "vite-plugin-solid";

// The API (apps/api) serves this build from apps/web/dist on the same origin.
// In `vite dev`, everything the server owns is proxied to it.
const api = "http://localhost:3000";

/**
 * Writes a brotli (`.br`, quality 11) and a gzip (`.gz`, level 9) twin of every script and style sheet, once at
 * build time; the server sends the one the browser accepts (serveStatic's `precompressed`) without compressing
 * per request.
 */
function precompress(): Plugin {
  let outDir = "dist";
  return {
    name: "parley-precompress",
    apply: "build",
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    writeBundle(_options, bundle) {
      for (const fileName of Object.keys(bundle).filter((name) => /\.(js|css|svg|json)$/.test(name))) {
        const file = path.join(outDir, fileName);
        const raw = readFileSync(file);
        const brotli = brotliCompressSync(raw, {
          params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: statSync(file).size },
        });
        writeFileSync(`${file}.br`, brotli);
        writeFileSync(`${file}.gz`, gzipSync(raw, { level: 9 }));
      }
    },
  };
}

export default defineConfig({
  plugins: [solid(), precompress()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    // Hashed names (Vite's default, assets/[name]-[hash].js) let the server cache them for a year. Source maps are
    // written for whoever debugs a production stack trace, but not linked from the scripts and never served.
    sourcemap: "hidden",
    // Rolldown warns when plugins take most of a build; here that is the solid transform and the brotli pass above.
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
  server: {
    port: 5173,
    proxy: { "/trpc": api, "/auth": api, "/v1": api, "/events": api, "/healthz": api },
  },
});
