import { defineConfig } from "vite";
import solid from "vite-plugin-solid";

// The API (apps/api) serves this build from apps/web/dist on the same origin.
// In `vite dev`, everything the server owns is proxied to it.
const api = "http://localhost:3000";

export default defineConfig({
  plugins: [solid()],
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", sourcemap: true },
  server: {
    port: 5173,
    proxy: { "/trpc": api, "/auth": api, "/v1": api, "/events": api, "/healthz": api },
  },
});
