import { createApp } from "@parley/api/app";
import { silentLogger } from "@parley/api/logger";
import { schema } from "@parley/db";
import { createTestDatabase, makeAgency, type TestAgency, type TestDatabase, testSecretBox } from "@parley/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callProcedure, signInAs } from "../support/http";

let db: TestDatabase;
let a: TestAgency;
let app: ReturnType<typeof createApp>;
let owner: string;

beforeAll(async () => {
  db = await createTestDatabase();
  a = await makeAgency(db.owner);
  // As in production: no OUTBOUND_ALLOWLIST.
  app = createApp({ services: { db: db.app, secretBox: testSecretBox }, trustProxy: 1, logger: silentLogger });
  owner = await signInAs(app, a.users.owner.email);
});
afterAll(() => db.close());

const save = (path: string, input: unknown) => callProcedure(app, { cookie: owner, path, type: "mutation", input });

describe("outbound URLs a tenant sets", () => {
  it("refuse a channel callbackUrl or forum baseUrl that is not public https, naming the field", async () => {
    for (const [credentials, field] of [
      [{ callbackUrl: "not a url" }, "credentials.callbackUrl"],
      [{ callbackUrl: "http://hooks.example.com/parley" }, "credentials.callbackUrl"],
      [{ callbackUrl: "https://127.0.0.1:4000/callback" }, "credentials.callbackUrl"],
      [{ callbackUrl: "https://169.254.169.254/latest/meta-data" }, "credentials.callbackUrl"],
      [{ callbackUrl: "https://admin:secret@hooks.example.com/" }, "credentials.callbackUrl"],
      [{ baseUrl: "https://[::1]/" }, "credentials.baseUrl"],
    ] as const) {
      const created = await save("channels.create", {
        clientId: a.client.id,
        platform: "generic",
        externalAccountId: `ssrf-${field}-${JSON.stringify(credentials).length}`,
        displayName: "SSRF",
        credentials,
      });
      expect({ credentials, status: created.status, fields: Object.keys(created.error?.details.fields ?? {}) }).toEqual(
        {
          credentials,
          status: 400,
          fields: [field],
        },
      );
    }
    const update = await save("channels.update", {
      channelId: a.channels[0]?.id,
      credentials: { callbackUrl: "http://10.0.0.5/hook" },
    });
    expect(update.error?.details.fields).toHaveProperty(["credentials.callbackUrl"]);
    const stored = await db.owner.select().from(schema.channels).where(eq(schema.channels.displayName, "SSRF"));
    expect(stored).toEqual([]);
    const fine = await save("channels.create", {
      clientId: a.client.id,
      platform: "generic",
      externalAccountId: "public-callback",
      displayName: "Public callback",
      credentials: { callbackUrl: "https://hooks.example.com/parley" },
    });
    expect(fine.status).toBe(200);
  });

  it("refuse a playbook level's webhookUrl that is not public https, naming the field", async () => {
    for (const webhookUrl of ["http://127.0.0.1/hook", "https://169.254.169.254/", "https://localhost/x"]) {
      const saved = await save("playbooks.save", {
        clientId: a.client.id,
        name: "SSRF",
        document: { levels: [{ respondWithinMinutes: 60, calendar: "24x7", contacts: { webhookUrl } }] },
      });
      expect({ webhookUrl, status: saved.status, fields: Object.keys(saved.error?.details.fields ?? {}) }).toEqual({
        webhookUrl,
        status: 400,
        fields: ["document.levels.0.contacts.webhookUrl"],
      });
    }
  });
});
