import { fileURLToPath } from "node:url";

/*
 * What the server serves and applies, found from its own file: apps/api/src/*.ts when it runs from source, and
 * apps/api/dist/main.js when it runs built — both two folders below the repository's root, so one rule serves both.
 */
const repoRoot = new URL("../../../", import.meta.url);

/** The built web app (`npm run build`). */
export const webRoot = fileURLToPath(new URL("apps/web/dist", repoRoot));
/** The generated SQL migrations. */
export const migrationsFolder = fileURLToPath(new URL("drizzle", repoRoot));
