import { getClientSummary, getSlaBoard } from "@parley/core/sla";
import { schema, withTenant } from "@parley/db";
import { createTestDatabase, makeAgency, type TestAgency, type TestDatabase } from "@parley/testing";
import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertItems, scopeOf } from "../billing/fixtures";
import { callProcedure, makeTestApp, signInAs } from "../support/http";

let db: TestDatabase;
let a: TestAgency;

beforeAll(async () => {
  db = await createTestDatabase();
  a = await makeAgency(db.owner);
});
afterAll(() => db.close());

const now = new Date("2026-11-20T12:00:00Z");
const at = (minutesAgo: number) => new Date(now.getTime() - minutesAgo * 60_000);
const bothClocks = () => [
  { metric: "first_response" as const, targetMinutes: 60, stoppedAfter: null },
  { metric: "resolution" as const, targetMinutes: 480, stoppedAfter: null },
];

describe("the portal's summary strip and SLA board", () => {
  it("counts open escalations, drafts awaiting the client, today's items; the board leaves out spam and no-action", async () => {
    // The client's day is Berlin's (UTC+1 in November): 2026-11-20 00:00 there is 2026-11-19 23:00 UTC, 780 min ago.
    await db.owner.update(schema.clients).set({ timeZone: "Europe/Berlin" }).where(eq(schema.clients.id, a.client.id));
    const today = await insertItems(db.owner, { agency: a, clientId: a.client.id }, [
      { receivedAt: at(5), clocks: bothClocks() },
      { receivedAt: at(60), clocks: bothClocks() },
      { receivedAt: at(300), clocks: bothClocks() },
      { receivedAt: at(600), clocks: bothClocks() }, // 03:00 Berlin: today
      { receivedAt: at(780), clocks: bothClocks() }, // 00:00 Berlin exactly: today
    ]);
    const yesterday = await insertItems(db.owner, { agency: a, clientId: a.client.id }, [
      { receivedAt: at(781), clocks: bothClocks() }, // 23:59 Berlin the day before
      { receivedAt: at(24 * 60), clocks: bothClocks() },
    ]);
    const [brand] = await insertItems(db.owner, { agency: a, clientId: a.client.id }, [{ receivedAt: at(10) }]);
    await db.owner
      .update(schema.items)
      .set({ byBrand: true })
      .where(eq(schema.items.id, brand as string));
    // Another client's item today counts for that client only.
    await insertItems(db.owner, { agency: a, clientId: a.otherClient.id }, [
      { receivedAt: at(5), clocks: bothClocks() },
    ]);
    // Nobody will answer these, although their clocks run: marked no action, and spam hidden on arrival.
    await db.owner
      .update(schema.items)
      .set({ status: "no_action" })
      .where(eq(schema.items.id, today[0] as string));
    await db.owner
      .update(schema.items)
      .set({ moderationAction: "hide" })
      .where(eq(schema.items.id, yesterday[0] as string));
    // A flagged item still waits for a moderator: it stays.
    await db.owner
      .update(schema.items)
      .set({ moderationAction: "flag" })
      .where(eq(schema.items.id, today[1] as string));

    const item = (index: number) => today[index] as string;
    const channelId = a.channels.find((channel) => channel.clientId === a.client.id)?.id as string;
    const [incident] = await db.owner
      .insert(schema.escalations)
      .values({ agencyId: a.agency.id, clientId: a.client.id, itemId: item(1), packet: {}, status: "open" })
      .returning();
    // Another item of that incident, rolled up into its escalation: the portal lists (and counts) the incident once.
    await db.owner.insert(schema.escalations).values([
      {
        agencyId: a.agency.id,
        clientId: a.client.id,
        itemId: yesterday[1] as string,
        packet: {},
        status: "open",
        rolledUpIntoId: incident!.id,
      },
      { agencyId: a.agency.id, clientId: a.client.id, itemId: item(2), packet: {}, status: "open" },
      { agencyId: a.agency.id, clientId: a.client.id, itemId: item(3), packet: {}, status: "acknowledged" },
      { agencyId: a.agency.id, clientId: a.client.id, itemId: item(4), packet: {}, status: "resolved" },
    ]);
    const reply = (status: "pending_approval" | "sent", requiresApproval: "client" | "agency_lead" | "none") => ({
      agencyId: a.agency.id,
      clientId: a.client.id,
      itemId: item(2),
      channelId,
      body: "Thanks for asking",
      status,
      requiresApproval,
    });
    await db.owner
      .insert(schema.replies)
      .values([
        reply("pending_approval", "client"),
        reply("pending_approval", "client"),
        reply("pending_approval", "agency_lead"),
        reply("sent", "client"),
      ]);

    const scope = await scopeOf(db.app, a, a.users.stakeholder);
    const inTenant = <T>(run: (tx: Parameters<Parameters<typeof withTenant>[2]>[0]) => Promise<T>) =>
      withTenant(db.app, { agencyId: a.agency.id, clientIds: scope.clientIds }, run);
    const summary = await inTenant((tx) => getClientSummary(scope, tx, { clientId: a.client.id }, { now: () => now }));
    expect(summary).toMatchObject({
      clientId: a.client.id,
      timeZone: "Europe/Berlin",
      openEscalations: 3,
      awaitingApproval: 2,
      receivedToday: 5,
    });

    // The same figures, counted straight from the rows.
    const escalations = await db.owner
      .select()
      .from(schema.escalations)
      .where(eq(schema.escalations.clientId, a.client.id));
    expect(
      escalations.filter((row) => ["open", "acknowledged"].includes(row.status) && row.rolledUpIntoId === null),
    ).toHaveLength(summary.openEscalations);
    const items = await db.owner
      .select()
      .from(schema.items)
      .where(inArray(schema.items.clientId, [a.client.id]));
    const berlinDay = (date: Date) => date.toLocaleDateString("en-CA", { timeZone: "Europe/Berlin" });
    expect(
      items.filter((row) => !row.byBrand && berlinDay(row.receivedAt) === berlinDay(now) && row.receivedAt <= now),
    ).toHaveLength(summary.receivedToday);

    const board = await inTenant((tx) => getSlaBoard(scope, tx, {}, { now: () => now }));
    const shown = board.items.map((row) => row.itemId);
    expect(shown).not.toContain(today[0]);
    expect(shown).not.toContain(yesterday[0]);
    expect(shown).toContain(today[1]);
    // 7 items of this client with running clocks, less the no-action one and the spam: one row each, both clocks.
    expect(board.totals.openItems).toBe(5);
    expect(board.items).toHaveLength(5);
    expect(board.items.every((row) => row.clocks.length === 2)).toBe(true);
  });

  it("answers sla.summary over HTTP for the client's stakeholder, and NOT_FOUND for another client", async () => {
    const app = makeTestApp(db.app);
    const cookie = await signInAs(app, a.users.stakeholder.email);
    const mine = await callProcedure(app, {
      cookie,
      path: "sla.summary",
      type: "query",
      input: { clientId: a.client.id },
    });
    expect(mine.data).toMatchObject({ openEscalations: 3, awaitingApproval: 2 });
    const other = await callProcedure(app, {
      cookie,
      path: "sla.summary",
      type: "query",
      input: { clientId: a.otherClient.id },
    });
    expect(other.error?.code).toBe("NOT_FOUND");
  });
});
