import { schema } from "@parley/db";
import { createTestDatabase, type TestDatabase, testSecretBox } from "@parley/testing";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classifyItem, protocolDocument } from "../protocols";
import { type DemoData, seedDemoAgencies } from "./demo-agency";

let db: TestDatabase;
let data: DemoData;

beforeAll(async () => {
  db = await createTestDatabase();
  data = await seedDemoAgencies(db.owner, {
    demoPassword: "demo-password",
    secretBox: testSecretBox,
    hashPassword: async (password) => `not-a-real-hash:${password.length}`,
  });
});
afterAll(() => db.close());

describe("demo seed", () => {
  it("gives every demo client an active brand protocol, version 1", async () => {
    const clients = data.agencies.flatMap((agency) => agency.clients);
    expect(clients.map((c) => c.name).sort()).toEqual([
      "Brightmart",
      "Cobalt Bank",
      "Hexfall Games",
      "Lakeside Outfitters",
    ]);
    for (const client of clients) {
      const rows = await db.owner
        .select()
        .from(schema.protocolVersions)
        .where(and(eq(schema.protocolVersions.clientId, client.id), eq(schema.protocolVersions.active, true)));
      expect(
        rows.map((r) => r.version),
        client.name,
      ).toEqual([1]);
    }
    const cobalt = clients.find((c) => c.name === "Cobalt Bank");
    const [row] = await db.owner
      .select()
      .from(schema.protocolVersions)
      .where(eq(schema.protocolVersions.clientId, cobalt?.id ?? ""));
    const protocol = protocolDocument.parse(row?.document);
    expect(classifyItem({ protocol, body: "Someone used my card, this is fraud", language: "en" })).toMatchObject({
      categoryKey: "fraud",
      authority: "triage",
      priority: "P1",
    });
  });
});
