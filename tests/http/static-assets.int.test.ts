import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { createApp } from "@parley/api/app";
import { silentLogger } from "@parley/api/logger";
import { createTestDatabase, type TestDatabase, testSecretBox } from "@parley/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../support/server";

// The real build of the web app (the suite's global setup keeps it current), served as the server serves it.
const webRoot = path.join(repoRoot, "apps/web/dist");
const assets = readdirSync(path.join(webRoot, "assets"));
const script = assets.find((name) => /^index-[\w-]{8}\.js$/.test(name));
let db: TestDatabase;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  db = await createTestDatabase();
  app = createApp({ services: { db: db.app, secretBox: testSecretBox }, webRoot, logger: silentLogger });
});
afterAll(() => db.close());

const get = (url: string, headers: Record<string, string> = {}) => app.request(`http://parley.test${url}`, { headers });

describe("the built web app", () => {
  it("names its script by content hash and links no source map", () => {
    if (!script) throw new Error(`no hashed script in ${assets.join(", ")}`);
    expect(readFileSync(path.join(webRoot, "index.html"), "utf8")).toContain(`/assets/${script}`);
    expect(readFileSync(path.join(webRoot, "assets", script), "utf8")).not.toContain("sourceMappingURL");
  });

  it("serves assets for a year, brotli or gzip as the browser accepts, and the page itself revalidated", async () => {
    const file = path.join(webRoot, "assets", script ?? "");
    const brotli = await get(`/assets/${script}`, { "accept-encoding": "gzip, deflate, br" });
    expect(brotli.status).toBe(200);
    expect(brotli.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(brotli.headers.get("content-encoding")).toBe("br");
    expect(brotli.headers.get("vary")).toBe("Accept-Encoding");
    expect(brotli.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(Number(brotli.headers.get("content-length"))).toBe(statSync(`${file}.br`).size);
    const gzip = await get(`/assets/${script}`, { "accept-encoding": "gzip" });
    expect(gzip.headers.get("content-encoding")).toBe("gzip");
    expect(Number(gzip.headers.get("content-length"))).toBe(statSync(`${file}.gz`).size);
    const plain = await get(`/assets/${script}`);
    expect(plain.headers.get("content-encoding")).toBeNull();
    expect(Buffer.from(await plain.arrayBuffer()).equals(readFileSync(file))).toBe(true);

    for (const page of ["/", "/console", "/portal/sla"]) {
      const response = await get(page);
      expect(response.status).toBe(200);
      expect(response.headers.get("cache-control")).toBe("no-cache");
      expect(await response.text()).toContain(`/assets/${script}`);
    }
  });

  it("keeps source maps off the web and answers a missing asset 404, not the page", async () => {
    expect(assets).toContain(`${script}.map`);
    for (const missing of [`/assets/${script}.map`, "/assets/index-00000000.js"]) {
      const response = await get(missing);
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: { code: "NOT_FOUND" } });
    }
  });
});
