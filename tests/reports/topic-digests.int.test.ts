import { createNotifier } from "@parley/connectors/notify";
import { findDueTopicDigests, runTopicDigests } from "@parley/core/reports";
import { type PlantedTopic, plantedWeeks } from "@parley/core/reports/planted-topics.fixture";
import { schema, withTenant } from "@parley/db";
import { createTestDatabase, makeAgency, makeUser, type TestAgency, type TestDatabase } from "@parley/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSmtpServer } from "../support/notice-receivers";

/**
 * The weekly digest of rising topics, on real PostgreSQL and through a local SMTP server. Client A (London) has
 * parcels not delivered rising from 5 a week to 15 in the week of 23 November 2026 and app crashes new in it;
 * client B (New York) has a complaint of its own, new that week. A's stakeholder and B's each hear of their own
 * client only, once, however many runs race.
 */
let db: TestDatabase;
let a: TestAgency;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let notifier: ReturnType<typeof createNotifier>;
let otherStakeholder: { id: string; email: string };
let externalIds = 0;

async function insertItems(clientId: string, rows: Array<{ text: string; receivedAt: Date }>) {
  const channel = a.channels.find((candidate) => candidate.clientId === clientId);
  await db.owner.insert(schema.items).values(
    rows.map((row) => ({
      agencyId: a.agency.id,
      clientId,
      channelId: channel?.id ?? "",
      externalId: `item-${++externalIds}`,
      kind: "comment" as const,
      authorExternalId: `author-${externalIds}`,
      authorHandle: `@customer${externalIds}`,
      body: row.text,
      createdAt: row.receivedAt,
      receivedAt: row.receivedAt,
    })),
  );
}

/** A received message's text, quoted-printable decoded. */
const textOf = (raw = "") =>
  Buffer.from(
    raw
      .replace(/=\r?\n/g, "")
      .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
    "latin1",
  ).toString("utf8");

const weeksOf = (counts: Partial<Record<PlantedTopic, number>>, weekStarts: string[]) =>
  weekStarts.map((weekStart) => ({ weekStart, counts, noise: 20 }));

beforeAll(async () => {
  db = await createTestDatabase();
  a = await makeAgency(db.owner);
  otherStakeholder = await makeUser(db.owner, {
    agencyId: a.agency.id,
    role: "client_stakeholder",
    assignments: [{ clientId: a.otherClient.id, authority: "view" }],
  });
  await insertItems(
    a.client.id,
    plantedWeeks([
      ...weeksOf({ parcel_not_delivered: 5, refund_missing: 6 }, [
        "2026-10-26",
        "2026-11-02",
        "2026-11-09",
        "2026-11-16",
      ]),
      ...weeksOf({ parcel_not_delivered: 15, refund_missing: 6, app_crash_login: 8 }, ["2026-11-23"]),
    ]),
  );
  await insertItems(
    a.otherClient.id,
    plantedWeeks([...weeksOf({}, ["2026-11-02", "2026-11-16"]), ...weeksOf({ refund_missing: 5 }, ["2026-11-23"])], 3),
  );
  smtp = await startSmtpServer();
  notifier = createNotifier({ smtpUrl: smtp.url, from: "digest@parley.test", appSecret: "x".repeat(32) });
});
afterAll(async () => {
  notifier?.close();
  await smtp?.close();
  await db.close();
});

const digestNotices = (userId: string) =>
  withTenant(db.owner, { agencyId: a.agency.id, clientIds: null }, (tx) =>
    tx.select().from(schema.notifications).where(eq(schema.notifications.recipientUserId, userId)),
  );

describe("the weekly topic digest", () => {
  it("is due from Monday 06:00 in each client's zone, for the week that ended", async () => {
    expect(await findDueTopicDigests(db.app, { now: new Date("2026-11-30T05:59:00Z") })).toEqual([]);
    expect(await findDueTopicDigests(db.app, { now: new Date("2026-11-30T06:00:00Z") })).toEqual([
      { agencyId: a.agency.id, clientId: a.client.id, weekStart: "2026-11-23" },
    ]);
    // New York's Monday 06:00 is 11:00 UTC; by then both are due, and stay due through the week.
    const later = await findDueTopicDigests(db.app, { now: new Date("2026-12-03T11:00:00Z") });
    expect(later.map((due) => [due.clientId, due.weekStart]).sort()).toEqual(
      [
        [a.client.id, "2026-11-23"],
        [a.otherClient.id, "2026-11-23"],
      ].sort(),
    );
  });

  it("goes once per client and week, even when two runs race, as a notice and an e-mail with the rising topics", async () => {
    const now = new Date("2026-11-30T07:00:00Z");
    const runs = await Promise.all([
      runTopicDigests(db.app, { now }, { notifier }),
      runTopicDigests(db.app, { now }, { notifier }),
    ]);
    const outcomes = runs.flat();
    expect(outcomes.filter((outcome) => outcome.status === "sent")).toHaveLength(1);
    const sent = outcomes.find((outcome) => outcome.status === "sent");
    expect(sent).toMatchObject({ clientId: a.client.id, weekStart: "2026-11-23", recipients: 1 });
    expect(sent?.topics.map((topic) => [topic.kind, topic.volume, topic.newThisWeek])).toEqual([
      ["discovered", 15, false],
      ["discovered", 8, true],
    ]);
    await expect.poll(() => smtp.messages.length).toBe(1);
    const [mail] = smtp.messages;
    expect(mail?.to).toEqual([a.users.stakeholder.email]);
    const text = textOf(mail?.raw);
    expect(text).toContain("rising topics, week of 2026-11-23");
    expect(text).toMatch(
      /1\. delivered · parcel · tracking: 15 items, \+200 % on the average week before\r?\n {3}e\.g\. "/,
    );
    expect(text).toMatch(/2\. app · crashes · log: 8 items, new this week/);
    expect(text).not.toMatch(/remboursement/);
    const notices = await digestNotices(a.users.stakeholder.id);
    expect(notices.map((notice) => [notice.kind, notice.subjectType, notice.clientId])).toEqual([
      ["reports.topic_digest", "topic_digest", a.client.id],
    ]);
    // Later in the week, and after a restart, nothing goes again.
    expect(await runTopicDigests(db.app, { now: new Date("2026-11-30T10:00:00Z") }, { notifier })).toEqual([]);
    expect(smtp.messages).toHaveLength(1);
  });

  it("tells client B's stakeholder of B's topics only, and A's of nothing more", async () => {
    const outcomes = await runTopicDigests(db.app, { now: new Date("2026-11-30T12:00:00Z") }, { notifier });
    expect(outcomes.map((outcome) => [outcome.clientId, outcome.status, outcome.recipients])).toEqual([
      [a.otherClient.id, "sent", 1],
    ]);
    await expect.poll(() => smtp.messages.length).toBe(2);
    const mail = smtp.messages[1];
    expect(mail?.to).toEqual([otherStakeholder.email]);
    expect(textOf(mail?.raw)).toMatch(/remboursement/);
    expect(textOf(mail?.raw)).not.toMatch(/parcel/);
    expect(await digestNotices(otherStakeholder.id)).toHaveLength(1);
    expect(await digestNotices(a.users.stakeholder.id)).toHaveLength(1);
  });

  it("writes a quiet week's digest without telling anyone", async () => {
    const outcomes = await runTopicDigests(db.app, { now: new Date("2026-12-07T12:00:00Z") }, { notifier });
    expect(outcomes.map((outcome) => [outcome.weekStart, outcome.status, outcome.topics.length])).toEqual([
      ["2026-11-30", "sent", 0],
      ["2026-11-30", "sent", 0],
    ]);
    expect(smtp.messages).toHaveLength(2);
    const rows = await withTenant(db.owner, { agencyId: a.agency.id, clientIds: null }, (tx) =>
      tx.select().from(schema.topicDigests),
    );
    expect(rows).toHaveLength(4);
  });
});
