import { hashPassword } from "@parley/auth";
import { seedDemoAgencies } from "@parley/core/seed";
import { schema } from "@parley/db";
import { createTestDatabase, type TestDatabase, testSecretBox } from "@parley/testing";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.close());

describe("demo seed: playbooks and escalations", () => {
  it("gives every Northwind client business hours, a playbook and an open escalation with its packet", async () => {
    const data = await seedDemoAgencies(db.owner, {
      demoPassword: "parley-demo",
      secretBox: testSecretBox,
      hashPassword,
    });
    const northwind = data.agencies.find((agency) => agency.name === "Northwind Social");
    if (!northwind) throw new Error("no Northwind");
    const playbooks = await db.owner.select().from(schema.playbooks).where(eq(schema.playbooks.agencyId, northwind.id));
    expect(playbooks.map((playbook) => playbook.clientId).sort()).toEqual(
      northwind.clients.map((client) => client.id).sort(),
    );
    const escalations = await db.owner
      .select()
      .from(schema.escalations)
      .where(and(eq(schema.escalations.agencyId, northwind.id), eq(schema.escalations.status, "open")));
    // (The billing seed adds a month of resolved history besides.)
    expect(escalations).toHaveLength(3);
    for (const escalation of escalations) {
      expect(escalation).toMatchObject({ status: "open", level: 1 });
      expect(escalation.packet).toMatchObject({
        item: { itemId: escalation.itemId },
        protocolExcerpt: { category: {} },
      });
    }
    const clients = await db.owner.select().from(schema.clients).where(eq(schema.clients.agencyId, northwind.id));
    const hours = await db.owner
      .select()
      .from(schema.businessCalendars)
      .where(eq(schema.businessCalendars.agencyId, northwind.id));
    expect(clients.every((client) => hours.some((version) => version.clientId === client.id))).toBe(true);
    const wakeups = await db.owner
      .select()
      .from(schema.workflowWakeups)
      .where(eq(schema.workflowWakeups.agencyId, northwind.id));
    // Each escalated item's triage is under way (the morning queue's triage items have theirs besides).
    const triaged = wakeups.filter((wakeup) => wakeup.flow === "triage").map((wakeup) => wakeup.subjectId);
    expect(triaged).toEqual(expect.arrayContaining(escalations.map((escalation) => escalation.itemId)));
  });
});
