import { schema } from "@parley/db";
import { createTestDatabase, type TestDatabase, testSecretBox } from "@parley/testing";
import { and, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classifyItem } from "../protocols/classify-item";
import { protocolDocument } from "../protocols/protocol-document";
import { getReport } from "../reports/reports";
import { localDateOf, monthlyPeriod, previousMonth } from "../sla/period-aggregates";
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

  it("gives each Northwind client a morning queue, sorted by its protocol, with a thread and a returning customer", async () => {
    const northwind = data.agencies.find((agency) => agency.name === "Northwind Social");
    const slugs = ["hexfall-games", "brightmart", "cobalt-bank"];
    const externalIds = slugs.flatMap((slug) => Array.from({ length: 8 }, (_, n) => `demo-${slug}-${n + 1}`));
    const rows = await db.owner
      .select()
      .from(schema.items)
      .where(and(eq(schema.items.agencyId, northwind?.id ?? ""), inArray(schema.items.externalId, externalIds)));
    const item = (client: string, n: number) => {
      const found = rows.find((row) => row.externalId === `demo-${client}-${n}`);
      if (!found) throw new Error(`no item ${n} of ${client}`);
      return found;
    };
    for (const client of slugs) {
      expect(
        rows.filter((row) => row.externalId.startsWith(`demo-${client}-`)),
        client,
      ).toHaveLength(7);
      expect(item(client, 3).parentItemId, client).toBe(item(client, 1).id);
      expect(item(client, 4).customerId, client).toBe(item(client, 1).customerId);
      expect(item(client, 2).customerId, client).not.toBe(item(client, 1).customerId);
    }
    const sorted = (client: string, n: number) => {
      const { categoryKey, priority, authority, moderationAction } = item(client, n);
      return { categoryKey, priority, authority, moderationAction };
    };
    expect(sorted("hexfall-games", 1)).toMatchObject({ categoryKey: "launch_outage", priority: "P2" });
    expect(sorted("hexfall-games", 5)).toMatchObject({
      categoryKey: "account_hacked",
      priority: "P1",
      authority: "triage",
    });
    expect(sorted("hexfall-games", 7)).toMatchObject({ moderationAction: "delete" });
    expect(sorted("brightmart", 1)).toMatchObject({ categoryKey: "delivery", priority: "P2" });
    expect(sorted("brightmart", 5)).toMatchObject({ categoryKey: "product_safety", priority: "P1" });
    expect(sorted("brightmart", 7)).toMatchObject({ moderationAction: "flag" });
    expect(sorted("cobalt-bank", 2)).toMatchObject({ categoryKey: "fees_and_rates", authority: "approval" });
    expect(sorted("cobalt-bank", 4)).toMatchObject({ categoryKey: "fraud", priority: "P1", authority: "triage" });
    expect(sorted("cobalt-bank", 6)).toMatchObject({ moderationAction: "hide" });
    // The moderator answered Cobalt's fee question: the draft waits for the client's approver in the portal.
    const [draft] = await db.owner
      .select()
      .from(schema.replies)
      .where(eq(schema.replies.itemId, item("cobalt-bank", 2).id));
    expect(draft).toMatchObject({ status: "pending_approval", requiresApproval: "client" });
    expect(item("cobalt-bank", 2).status).toBe("responded");
    // Every item that waits for an answer has its first-response clock running when its client's contract sets a
    // first-response target for its priority, on that target (and none when the contract leaves the priority out).
    const clocks = await db.owner
      .select()
      .from(schema.slaClocks)
      .where(and(eq(schema.slaClocks.agencyId, northwind?.id ?? ""), eq(schema.slaClocks.metric, "first_response")));
    const contracts = await db.owner
      .select()
      .from(schema.contracts)
      .where(eq(schema.contracts.agencyId, northwind?.id ?? ""));
    const queued = rows.filter((row) => row.status === "queued");
    expect(queued.length).toBeGreaterThan(15);
    let clocked = 0;
    for (const row of queued) {
      const contract = contracts.find((candidate) => candidate.clientId === row.clientId);
      const terms = contract?.terms as { slaTargets: Array<{ priority: string; metric: string; minutes: number }> };
      const target = terms.slaTargets.find(
        (candidate) => candidate.priority === row.priority && candidate.metric === "first_response",
      );
      const clock = clocks.find((candidate) => candidate.itemId === row.id);
      expect(clock ? { minutes: clock.targetMinutes, contractId: clock.contractId } : null, row.externalId).toEqual(
        target ? { minutes: target.minutes, contractId: contract?.id } : null,
      );
      if (clock) clocked += 1;
    }
    expect(clocked).toBeGreaterThan(15);
  });

  it("answers last month's history with confirmed replies: acknowledgements first, useful answers later", async () => {
    const northwind = data.agencies.find((agency) => agency.name === "Northwind Social");
    const month = monthlyPeriod(previousMonth(new Date(), "Europe/London"), "Europe/London");
    const to = localDateOf(new Date(month.to.getTime() - 1), "Europe/London");
    for (const client of northwind?.clients ?? []) {
      const report = await getReport({ agencyId: northwind?.id ?? "", clientIds: null }, db.owner, {
        from: month.periodStart,
        to,
        clientIds: [client.id],
      });
      const { acknowledged, usefulAnswer, firstResponse, handlingTime } = report.totals;
      expect(acknowledged.count, client.name).toBe(report.totals.itemsIn);
      expect(usefulAnswer.count, client.name).toBe(report.totals.itemsIn);
      expect(usefulAnswer.medianSeconds ?? 0, client.name).toBeGreaterThan(acknowledged.medianSeconds ?? 0);
      expect(firstResponse.breached, client.name).toBeGreaterThan(0);
      expect(handlingTime.count, client.name).toBeGreaterThan(0);
      // Urgent items are mostly acknowledged before they are answered.
      const p1 = report.byPriority.find((row) => row.priority === "P1");
      expect(p1?.usefulAnswer.medianSeconds ?? 0, client.name).toBeGreaterThan(p1?.acknowledged.medianSeconds ?? 0);
    }
  });
});
