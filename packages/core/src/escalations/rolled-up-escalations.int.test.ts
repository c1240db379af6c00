import { schema, withTenant } from "@parley/db";
import { createTestDatabase, makeAgency, type TestAgency, type TestDatabase } from "@parley/testing";
import { and, eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveScope } from "../agencies/me";
import { type Scope, tenantOf } from "../kernel/scope";
import { ingestChannelItems } from "../moderation/ingest-channel.unscoped";
import { createProtocolVersion } from "../protocols/protocol-versions";
import { answerEscalation, getEscalation, listEscalations } from "./escalation-answers";
import { savePlaybook } from "./playbooks";
import { createTriageStore } from "./triage-store";

let db: TestDatabase;
let a: TestAgency;
let owner: Scope;
let stakeholder: Scope;

const NOW = new Date("2026-11-23T10:00:00Z");
const incident = [
  "Servers down, total outage!!",
  "servers down again, outage",
  "@GameCo outage, servers down",
  "SERVERS DOWN. OUTAGE.",
  "servers down outage 😡",
  "outage servers down again???",
];

async function scopeOf(userId: string): Promise<Scope> {
  const scope = await resolveScope(db.app, { userId, agencyId: a.agency.id });
  if (!scope) throw new Error("no scope");
  return scope;
}

const inScope = <T>(scope: Scope, work: Parameters<typeof withTenant<T>>[2]) =>
  withTenant(db.app, tenantOf(scope), work);

async function ingest(texts: readonly string[], prefix: string): Promise<string[]> {
  const channel = a.channels.find((candidate) => candidate.clientId === a.client.id);
  if (!channel) throw new Error("no channel");
  const result = await ingestChannelItems(
    db.app,
    { id: channel.id, agencyId: a.agency.id, clientId: a.client.id, platform: channel.platform },
    texts.map((body, index) => ({
      op: "upsert" as const,
      item: {
        externalId: `${prefix}-${index}`,
        kind: "comment" as const,
        author: { externalId: `fan-${prefix}-${index}`, handle: `fan${index}` },
        body,
        createdAt: NOW,
      },
    })),
    { now: () => NOW },
  );
  return result.items.map((item) => item.id);
}

beforeAll(async () => {
  db = await createTestDatabase();
  a = await makeAgency(db.owner);
  owner = await scopeOf(a.users.owner.id);
  stakeholder = await scopeOf(a.users.stakeholder.id);
  await inScope(owner, async (tx) => {
    await createProtocolVersion(owner, tx, {
      clientId: a.client.id,
      document: {
        categories: [
          { key: "outage", name: "Outage", match: { keywords: ["outage"] }, priority: "P2", authority: "triage" },
        ],
        defaultCategory: { key: "general", priority: "P3" },
        acknowledgementTemplates: ["Thanks, we're looking into it.", "Sorry about this, the team is on it."],
      },
    });
    await savePlaybook(owner, tx, {
      clientId: a.client.id,
      name: "Outages",
      document: { autoAcknowledge: true, levels: [{ respondWithinMinutes: 30, calendar: "24x7" }] },
    });
  });
}, 120_000);
afterAll(() => db.close());

/** The client's volume spike, open (`endedAt` null) from `startedAt`, as the floor's detection records one. */
async function openSpike(): Promise<string> {
  const [spike] = await db.owner
    .insert(schema.volumeSpikes)
    .values({
      agencyId: a.agency.id,
      clientId: a.client.id,
      startedAt: new Date(NOW.getTime() - 15 * 60_000),
      usualPerHour: 12,
      startRatePerHour: 600,
      peakRatePerHour: 600,
      lastRatePerHour: 600,
    })
    .returning();
  if (!spike) throw new Error("spike not stored");
  return spike.id;
}

describe("rolled-up escalations", () => {
  it("outside a spike, escalates near-identical items of two customers as two cases", async () => {
    const itemIds = await ingest(["Servers down, total outage!!", "servers down again, outage"], "calm");
    const store = createTriageStore({ db: db.app });
    for (const itemId of itemIds) await store.advance({ agencyId: a.agency.id, itemId }, NOW);
    const rows = await db.owner.select().from(schema.escalations).where(inArray(schema.escalations.itemId, itemIds));
    expect(rows.map((row) => row.rolledUpIntoId)).toEqual([null, null]);
    // Closed again, so the spike's incident below starts its own escalation.
    for (const row of rows) {
      await inScope(stakeholder, (tx) =>
        answerEscalation(stakeholder, tx, { escalationId: row.id, answer: "We are on it." }, { now: () => NOW }),
      );
    }
  });

  it("in a spike, escalates N items of one incident as one escalation counting N, with one notice; other complaints apart", async () => {
    await openSpike();
    const incidentIds = await ingest(incident, "inc");
    const [otherId] = await ingest(["Outage in payments: I was charged twice for my order"], "pay");
    const store = createTriageStore({ db: db.app });
    for (const itemId of [...incidentIds, otherId!]) {
      const step = await store.advance({ agencyId: a.agency.id, itemId }, NOW);
      expect(step.actions.map((action) => action.type)).toContain("escalate");
    }
    const rows = await db.owner
      .select()
      .from(schema.escalations)
      .where(inArray(schema.escalations.itemId, [...incidentIds, otherId!]));
    expect(rows).toHaveLength(incident.length + 1);
    const leads = rows.filter((row) => row.rolledUpIntoId === null);
    expect(leads).toHaveLength(2);
    const incidentRows = new Set(rows.map((row) => row.id));

    const listed = await inScope(stakeholder, (tx) => listEscalations(stakeholder, tx, { clientId: a.client.id }));
    expect(
      listed
        .filter((escalation) => incidentRows.has(escalation.id))
        .map((escalation) => escalation.itemCount)
        .sort(),
    ).toEqual([1, incident.length]);
    const rolledUp = listed.find((escalation) => escalation.itemCount === incident.length)!;
    expect(new Set([rolledUp.itemId, ...rolledUp.rolledUpItemIds])).toEqual(new Set(incidentIds));
    expect(
      (await inScope(stakeholder, (tx) => getEscalation(stakeholder, tx, { escalationId: rolledUp.id }))).itemCount,
    ).toBe(incident.length);

    const notices = await db.owner
      .select()
      .from(schema.notifications)
      .where(
        and(
          eq(schema.notifications.recipientUserId, a.users.stakeholder.id),
          eq(schema.notifications.kind, "escalation.opened"),
        ),
      );
    const leadIds = new Set(leads.map((lead) => lead.id));
    expect(
      notices
        .map((notice) => notice.subjectId)
        .filter((subjectId) => subjectId !== null && incidentRows.has(subjectId))
        .sort(),
    ).toEqual([...leadIds].sort());
  });

  it("gives the client's answer to every item of the incident, each followed up as its own escalation would be", async () => {
    const listed = await inScope(stakeholder, (tx) => listEscalations(stakeholder, tx, { clientId: a.client.id }));
    const rolledUp = listed.find((escalation) => escalation.itemCount === incident.length)!;
    const answer = "Our servers are back: thanks for your patience while we fixed the outage.";
    const answered = await inScope(stakeholder, (tx) =>
      answerEscalation(stakeholder, tx, { escalationId: rolledUp.id, answer }, { now: () => NOW }),
    );
    expect(answered).toMatchObject({ status: "resolved", itemCount: incident.length });
    const itemIds = [rolledUp.itemId, ...rolledUp.rolledUpItemIds];
    const rows = await db.owner.select().from(schema.escalations).where(inArray(schema.escalations.itemId, itemIds));
    expect(rows.map((row) => [row.status, row.answer])).toEqual(itemIds.map(() => ["resolved", answer]));

    const store = createTriageStore({ db: db.app });
    for (const itemId of itemIds)
      await store.advance({ agencyId: a.agency.id, itemId }, new Date(NOW.getTime() + 60_000));
    const followUps = await db.owner
      .select()
      .from(schema.replies)
      .where(and(inArray(schema.replies.itemId, itemIds), eq(schema.replies.kind, "follow_up")));
    expect(followUps.map((reply) => reply.itemId).sort()).toEqual([...itemIds].sort());
    expect(followUps.every((reply) => reply.body === answer)).toBe(true);
    // The other complaint's escalation is untouched.
    const other = listed.find((escalation) => escalation.itemCount === 1 && escalation.status === "open")!;
    expect(
      (await inScope(stakeholder, (tx) => getEscalation(stakeholder, tx, { escalationId: other.id }))).status,
    ).toBe("open");
  });

  it("opens one escalation for an incident whose items are triaged at the same time", async () => {
    const itemIds = await ingest(
      [
        "Launcher outage, it will not start at all",
        "launcher outage - it will not start at all!!",
        "@GameCo launcher outage, it will not start at all",
        "LAUNCHER OUTAGE, IT WILL NOT START AT ALL",
        "launcher outage, it will not start at all 😡",
        "launcher outage?? it will not start at all",
      ],
      "launcher",
    );
    const store = createTriageStore({ db: db.app });
    await Promise.all(itemIds.map((itemId) => store.advance({ agencyId: a.agency.id, itemId }, NOW)));
    const rows = await db.owner.select().from(schema.escalations).where(inArray(schema.escalations.itemId, itemIds));
    expect(rows).toHaveLength(itemIds.length);
    const leads = rows.filter((row) => row.rolledUpIntoId === null);
    expect(leads).toHaveLength(1);
    expect(rows.every((row) => row.rolledUpIntoId === null || row.rolledUpIntoId === leads[0]?.id)).toBe(true);
  });

  it("rolls an item into its open incident without waiting for the client's escalation lock", async () => {
    const [first, second] = await ingest(
      [
        "Outage again: my save files are gone after the update",
        "outage again, my save files are gone after the update!",
      ],
      "saves",
    );
    const store = createTriageStore({ db: db.app });
    await store.advance({ agencyId: a.agency.id, itemId: first! }, NOW);
    // Another triage of the client's holds the lock it takes to open a new incident, and has not committed.
    await db.owner.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`escalation-incident:${a.client.id}`}))`);
      const advanced = store.advance({ agencyId: a.agency.id, itemId: second! }, NOW).then(() => "advanced");
      const waited = new Promise((resolve) => setTimeout(() => resolve("still waiting"), 5_000));
      expect(await Promise.race([advanced, waited])).toBe("advanced");
    });
    const rows = await db.owner
      .select()
      .from(schema.escalations)
      .where(inArray(schema.escalations.itemId, [first!, second!]));
    const lead = rows.find((row) => row.itemId === first);
    expect(rows.find((row) => row.itemId === second)?.rolledUpIntoId).toBe(lead?.id);
  });

  it("never rolls an item into an incident the client is answering at that moment", async () => {
    const [first, second] = await ingest(
      ["Outage in the shop: my gems are gone after buying", "outage in the shop, my gems are gone after buying!"],
      "gems",
    );
    const store = createTriageStore({ db: db.app });
    await store.advance({ agencyId: a.agency.id, itemId: first! }, NOW);
    const [lead] = await db.owner.select().from(schema.escalations).where(eq(schema.escalations.itemId, first!));
    let advanced: Promise<unknown> = Promise.resolve();
    await inScope(stakeholder, async (tx) => {
      await answerEscalation(
        stakeholder,
        tx,
        { escalationId: lead!.id, answer: "Your gems are back." },
        { now: () => NOW },
      );
      // Before the answer commits, the second item's triage finds the incident still open and waits on it.
      advanced = store.advance({ agencyId: a.agency.id, itemId: second! }, NOW);
      await expect
        .poll(async () => {
          const [row] = await db.owner.execute<{ waiting: number }>(
            sql`select count(*)::int as waiting from pg_stat_activity
              where datname = current_database() and wait_event_type = 'Lock'`,
          );
          return row?.waiting;
        })
        .toBe(1);
    });
    await advanced;
    // Rolled into the answered incident, it would wait for an answer already given: it stands on its own.
    const [row] = await db.owner.select().from(schema.escalations).where(eq(schema.escalations.itemId, second!));
    expect(row).toMatchObject({ rolledUpIntoId: null, status: "open" });
  });
});
