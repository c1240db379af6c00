import { createNotifier, deriveWebhookSecret, verifyWebhookSignature } from "@parley/connectors/notify";
import { savePlaybook } from "@parley/core/escalations";
import {
  detectSpikes,
  forecastUsualArrivals,
  getFloor,
  rememberUsualArrivals,
  spikeStartThreshold,
  usualInWindow,
} from "@parley/core/floor";
import { createQueueCounter } from "@parley/core/moderation";
import { schema, withTenant } from "@parley/db";
import {
  createTestDatabase,
  makeAgency,
  type TestAgency,
  type TestDatabase,
  testAppSecret,
  testOutboundAllowlist,
} from "@parley/testing";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hackedAccountPlaybook, ownerScopeOf } from "../sla/support";
import { startSmtpServer, startWebhookReceiver } from "../support/notice-receivers";

/**
 * Client A (Europe/London) has thirteen weeks of history: 8 items an hour, except on Monday mornings 09:00–11:00
 * local, when 400 an hour arrive — every week. The detector must learn that Monday peak (a flat average of the
 * history, about 12.7 items an hour, would call 100 items in a quarter of an hour a spike) and still see a surge
 * at a quiet hour.
 */
const HOUR = 3_600_000;
const MINUTE = 60_000;
/** Monday 15 June 2026: 09:00 in London is 08:00 UTC (summer time). */
const mondayNine = new Date("2026-06-15T08:00:00Z");
const historyFrom = new Date(mondayNine.getTime() - 13 * 168 * HOUR);

let db: TestDatabase;
let a: TestAgency;

/** `count` items of a client (A unless said) spread evenly over `[from, to)`. */
async function seedWindow(from: Date, to: Date, count: number, tag: string, clientId = a.client.id) {
  const channel = a.channels.find((c) => c.clientId === clientId);
  await db.owner.execute(sql`
    insert into items (id, agency_id, client_id, channel_id, external_id, kind, author_external_id, author_handle,
      body, created_at, received_at, status, priority)
    select gen_random_uuid(), ${a.agency.id}, ${clientId}, ${channel?.id}, ${tag} || '-' || n, 'comment', 'author',
      'someone', 'servers down?', t, t, 'queued', 'P3'
    from generate_series(0, ${count - 1}) n,
      lateral (select ${from.toISOString()}::timestamptz + (${to.getTime() - from.getTime()} * n / ${count}) * interval '1 millisecond' as t) s`);
}

async function detect(at: Date, notifier?: ReturnType<typeof createNotifier>) {
  return detectSpikes(db.app, { now: at, notifier });
}

async function spikeNotices(userId: string) {
  return db.owner
    .select({ kind: schema.notifications.kind, title: schema.notifications.title })
    .from(schema.notifications)
    .where(and(eq(schema.notifications.recipientUserId, userId), eq(schema.notifications.subjectType, "volume_spike")))
    .orderBy(schema.notifications.createdAt);
}

/**
 * Thirteen weeks of a client's history up to Monday 15 June 09:00 London: 8 items an hour, 400 an hour on ISO weekday
 * `peak.isodow` from `peak.from` to `peak.to` o'clock (London time).
 */
async function seedHistory(clientId: string, peak: { isodow: number; from: number; to: number }) {
  const channel = a.channels.find((c) => c.clientId === clientId);
  await db.owner.execute(sql`
    insert into items (id, agency_id, client_id, channel_id, external_id, kind, author_external_id, author_handle,
      body, created_at, received_at, status, priority)
    select gen_random_uuid(), ${a.agency.id}, ${clientId}, ${channel?.id}, 'h-' || extract(epoch from t)::bigint || '-' || n,
      'comment', 'author', 'someone', 'body', t + n * (3600.0 / k.per_hour) * interval '1 second',
      t + n * (3600.0 / k.per_hour) * interval '1 second', 'responded', 'P3'
    from generate_series(${historyFrom.toISOString()}::timestamptz, ${mondayNine.toISOString()}::timestamptz - interval '1 hour', interval '1 hour') t
    cross join lateral (
      select case when extract(isodow from t at time zone 'Europe/London') = ${peak.isodow}
        and extract(hour from t at time zone 'Europe/London') >= ${peak.from}
        and extract(hour from t at time zone 'Europe/London') < ${peak.to}
        then 400 else 8 end as per_hour
    ) k
    cross join lateral generate_series(0, k.per_hour - 1) n`);
}

beforeAll(async () => {
  db = await createTestDatabase();
  a = await makeAgency(db.owner);
  await seedHistory(a.client.id, { isodow: 1, from: 9, to: 11 });
}, 120_000);
afterAll(() => db?.close());

describe("spike detection", () => {
  it("takes the usual Monday-morning peak for what it is", async () => {
    const at = new Date(mondayNine.getTime() + 30 * MINUTE);
    // 400 an hour, as every Monday at this time: 100 in the window.
    await seedWindow(new Date(at.getTime() - 15 * MINUTE), at, 100, "peak");
    expect(100).toBeGreaterThanOrEqual(spikeStartThreshold(12.7 / 4)); // what a flat average would have flagged
    expect(await detect(at)).toEqual([]);
    const floor = await withTenant(db.app, { agencyId: a.agency.id, clientIds: null }, async (tx) =>
      getFloor(await ownerScopeOf(db.app, a), tx, { now: () => at }),
    );
    const client = floor.clients.find((entry) => entry.clientId === a.client.id);
    expect(client?.ratePerHour).toBe(400);
    expect(client?.usualPerHour).toBeCloseTo(400, 6);
    expect(client?.spike).toBeNull();
    // Client B has no history at all: no usual rate, never judged.
    expect(floor.clients.find((entry) => entry.clientId === a.otherClient.id)?.usualPerHour).toBeNull();
  });

  it("fires once on a surge at a quiet hour, notices the leads and the playbook, and ends when the rate returns", async () => {
    const smtp = await startSmtpServer();
    const webhook = await startWebhookReceiver();
    const notifier = createNotifier({
      smtpUrl: smtp.url,
      from: "Parley <alerts@parley.test>",
      appSecret: testAppSecret,
      allowlist: testOutboundAllowlist,
    });
    try {
      const scope = await ownerScopeOf(db.app, a);
      // A playbook needs no protocol when it triggers on keywords.
      const playbook = hackedAccountPlaybook({
        triggers: { categories: [], riskFlags: [], keywords: ["outage"], priorities: [] },
      });
      playbook.levels[0] = {
        ...playbook.levels[0]!,
        contacts: { ...playbook.levels[0]!.contacts, webhookUrl: webhook.url },
      };
      await withTenant(db.app, { agencyId: a.agency.id, clientIds: null, userId: scope.actorId }, (tx) =>
        savePlaybook(
          scope,
          tx,
          { clientId: a.client.id, name: "Duty", document: playbook },
          { outboundAllowlist: testOutboundAllowlist },
        ),
      );
      // Monday 14:00–14:15 London: usually 2 items in a quarter of an hour; 150 arrive (600 an hour).
      const surgeEnd = new Date(mondayNine.getTime() + 5 * HOUR + 15 * MINUTE);
      await seedWindow(new Date(surgeEnd.getTime() - 15 * MINUTE), surgeEnd, 150, "surge");
      // Two processes look at once: one spike, one alert.
      const [first, second] = await Promise.all([detect(surgeEnd, notifier), detect(surgeEnd, notifier)]);
      const started = [...first, ...second];
      expect(started).toEqual([
        expect.objectContaining({ kind: "client.spike_started", clientId: a.client.id, ratePerHour: 600 }),
      ]);
      expect(started[0]?.usualPerHour).toBeCloseTo(8, 6);
      // Still surging a minute later: no new alert.
      await seedWindow(surgeEnd, new Date(surgeEnd.getTime() + MINUTE), 10, "surge-more");
      expect(await detect(new Date(surgeEnd.getTime() + MINUTE), notifier)).toEqual([]);

      const open = await db.owner
        .select()
        .from(schema.volumeSpikes)
        .where(eq(schema.volumeSpikes.clientId, a.client.id));
      expect(open).toHaveLength(1);
      expect(open[0]).toMatchObject({ endedAt: null, startedAt: surgeEnd, items: 160 });
      // Its item count is a recount taken once a minute of the spike, up to the minute's start: a look 80 s in keeps
      // the first minute's count (and notes the rate), the first look of the next minute counts the one item more.
      // The floor adds the items since, so it shows that item as soon as it has arrived.
      await seedWindow(new Date(surgeEnd.getTime() + 70_000), new Date(surgeEnd.getTime() + 71_000), 1, "surge-late");
      const spikeRow = async () =>
        (
          await db.owner
            .select()
            .from(schema.volumeSpikes)
            .where(eq(schema.volumeSpikes.id, open[0]?.id ?? ""))
        )[0];
      expect(await detect(new Date(surgeEnd.getTime() + 80_000), notifier)).toEqual([]);
      expect(await spikeRow()).toMatchObject({ items: 160, lastRatePerHour: 588 });
      const floorAt = async (at: Date) =>
        withTenant(db.app, { agencyId: a.agency.id, clientIds: null }, async (tx) =>
          getFloor(await ownerScopeOf(db.app, a), tx, { now: () => at }),
        );
      const floorSpike = async (at: Date) =>
        (await floorAt(at)).clients.find((entry) => entry.clientId === a.client.id)?.spike;
      expect(await floorSpike(new Date(surgeEnd.getTime() + 71_000))).toMatchObject({ id: open[0]?.id, items: 161 });
      expect(await floorSpike(new Date(surgeEnd.getTime() + 70_000))).toMatchObject({ items: 160 });
      expect(await detect(new Date(surgeEnd.getTime() + 2 * MINUTE), notifier)).toEqual([]);
      expect(await spikeRow()).toMatchObject({ items: 161 });
      expect(await floorSpike(new Date(surgeEnd.getTime() + 2 * MINUTE + 5_000))).toMatchObject({ items: 161 });
      // The console's counts carry it (the banner), and the floor shows it.
      const moderatorScope = {
        ...scope,
        role: "moderator" as const,
        actorId: a.users.moderator.id,
        clientIds: [a.client.id, a.otherClient.id],
      };
      const counts = await createQueueCounter(db.app, { now: () => new Date(surgeEnd.getTime() + MINUTE) }).count(
        moderatorScope,
      );
      expect(counts.find((entry) => entry.clientId === a.client.id)?.spike).toMatchObject({
        startedAt: surgeEnd,
        usualPerHour: expect.closeTo(8, 6),
      });
      expect(counts.find((entry) => entry.clientId === a.otherClient.id)?.spike).toBeNull();

      // The leads (owner and admin) are told; the moderator sees the banner, not a notice.
      expect((await spikeNotices(a.users.owner.id)).map((notice) => notice.kind)).toEqual(["client.spike_started"]);
      expect((await spikeNotices(a.users.admin.id)).map((notice) => notice.kind)).toEqual(["client.spike_started"]);
      expect(await spikeNotices(a.users.moderator.id)).toEqual([]);
      expect(smtp.messages.map((message) => message.to)).toEqual([["duty-manager@brand.test"]]);
      expect(webhook.received).toHaveLength(1);
      const secret = deriveWebhookSecret({ appSecret: testAppSecret, clientId: a.client.id });
      const [opened] = webhook.received;
      expect(verifyWebhookSignature({ secret, body: opened?.body ?? "", header: opened?.signature })).toBe(true);
      expect(JSON.parse(opened?.body ?? "{}")).toMatchObject({
        type: "client.spike_started",
        clientId: a.client.id,
        spikeId: open[0]?.id,
        ratePerHour: 600,
        usualPerHour: 8,
      });

      // 15:00–15:15: back to the usual trickle (2 items): the spike is over, once.
      const calm = new Date(mondayNine.getTime() + 6 * HOUR + 15 * MINUTE);
      await seedWindow(new Date(calm.getTime() - 15 * MINUTE), calm, 2, "calm");
      const [endA, endB] = await Promise.all([detect(calm, notifier), detect(calm, notifier)]);
      expect([...endA, ...endB]).toEqual([
        expect.objectContaining({ kind: "client.spike_ended", clientId: a.client.id, spikeId: open[0]?.id }),
      ]);
      const [ended] = await db.owner
        .select()
        .from(schema.volumeSpikes)
        .where(eq(schema.volumeSpikes.id, open[0]?.id ?? ""));
      // Ended: recounted once, from the window that started it to its end (the surge's 161 and the calm's 2).
      expect(ended).toMatchObject({ endedAt: calm, peakRatePerHour: 600, lastRatePerHour: 8, items: 163 });
      expect((await floorAt(calm)).spikes.find((spike) => spike.id === open[0]?.id)).toMatchObject({ items: 163 });
      expect((await spikeNotices(a.users.owner.id)).map((notice) => notice.kind)).toEqual([
        "client.spike_started",
        "client.spike_ended",
      ]);
      expect(webhook.received).toHaveLength(2);
      const over = webhook.received[1];
      expect(verifyWebhookSignature({ secret, body: over?.body ?? "", header: over?.signature })).toBe(true);
      expect(JSON.parse(over?.body ?? "{}")).toMatchObject({ type: "client.spike_ended", spikeId: open[0]?.id });
      expect(smtp.messages[1]?.raw).toContain("Subject: Spike over on");
      // Quiet afterwards: nothing more.
      expect(await detect(new Date(calm.getTime() + MINUTE), notifier)).toEqual([]);
      expect(webhook.received).toHaveLength(2);
      const audit = await db.owner
        .select({ action: schema.auditEvents.action })
        .from(schema.auditEvents)
        .where(eq(schema.auditEvents.subjectType, "volume_spike"));
      expect(audit.map((event) => event.action)).toEqual(["client.spike_started", "client.spike_ended"]);
    } finally {
      notifier.close();
      await webhook.close();
      await smtp.close();
    }
  });

  it("lets a watcher reuse the usual rates for minutes, judged as a fresh fit judges", async () => {
    const scope = { agencyId: a.agency.id };
    const clientA = { id: a.client.id, name: "A", timeZone: "Europe/London", calendars: [] };
    const clientB = { id: a.otherClient.id, name: "B", timeZone: "Europe/London", calendars: [] };
    const usualArrivals = rememberUsualArrivals(5 * MINUTE);
    const inTenant = <T>(work: (tx: Parameters<Parameters<typeof withTenant>[2]>[0]) => Promise<T>) =>
      withTenant(db.app, { agencyId: a.agency.id, clientIds: null }, work);
    const look = (now: Date, clients = [clientA]) =>
      inTenant((tx) => usualArrivals(scope, tx, { clients, from: now.getTime() - 15 * MINUTE, now }));
    // Monday 11:05 London: the window straddles the end of the usual peak (09:00–11:00 local, 400 an hour).
    const at = new Date(mondayNine.getTime() + 125 * MINUTE);
    const remembered = await look(at);
    for (const now of [at, new Date(at.getTime() + 4 * MINUTE)]) {
      const window = { from: now.getTime() - 15 * MINUTE, to: now.getTime() };
      const fitted = await inTenant((tx) =>
        forecastUsualArrivals(scope, tx, { clients: [clientA], from: window.from, now }),
      );
      const usual = usualInWindow(remembered.get(a.client.id) ?? [], window);
      expect(usual).toBeCloseTo(usualInWindow(fitted.get(a.client.id) ?? [], window), 6);
      // Part of the peak, part of the quiet hour after it.
      expect(usual).toBeGreaterThan(8 / 4);
      expect(usual).toBeLessThan(400 / 4);
    }
    // Within five minutes the same fit is reused; after them, or for a client it did not have, fitted again.
    expect(await look(new Date(at.getTime() + 4 * MINUTE))).toBe(remembered);
    expect(await look(new Date(at.getTime() + 5 * MINUTE))).not.toBe(remembered);
    const refitted = await look(new Date(at.getTime() + 6 * MINUTE));
    expect(await look(new Date(at.getTime() + 7 * MINUTE), [clientA, clientB])).not.toBe(refitted);
  });

  it("holds an open spike to the usual rate of the hour it has run into", async () => {
    // Client B's history: 8 items an hour, 400 on Tuesdays 16:00–17:00 London.
    const b = a.otherClient.id;
    await seedHistory(b, { isodow: 2, from: 16, to: 17 });
    const spikeOfB = async () =>
      (await db.owner.select().from(schema.volumeSpikes).where(eq(schema.volumeSpikes.clientId, b)))[0];
    // Tuesday 16 June, 15:30–15:45 London: 150 items where 2 are usual.
    const start = new Date("2026-06-16T14:45:00Z");
    await seedWindow(new Date(start.getTime() - 15 * MINUTE), start, 150, "b-surge", b);
    await detect(start);
    expect(await spikeOfB()).toMatchObject({ usualPerHour: expect.closeTo(8, 6), lastRatePerHour: 600, endedAt: null });
    // 16:00–16:15: 200 items in the hour when about 400 an hour are usual (the fit weighs recent weeks): still a spike,
    // now against that rate.
    const intoPeak = new Date("2026-06-16T15:15:00Z");
    await seedWindow(new Date(intoPeak.getTime() - 15 * MINUTE), intoPeak, 200, "b-peak", b);
    expect(await detect(intoPeak)).toEqual([]);
    expect(await spikeOfB()).toMatchObject({
      usualPerHour: expect.closeTo(400, -2),
      lastRatePerHour: 800,
      startRatePerHour: 600,
      endedAt: null,
    });
    const scope = await ownerScopeOf(db.app, a);
    const floor = await withTenant(db.app, { agencyId: a.agency.id, clientIds: null }, (tx) =>
      getFloor(scope, tx, { now: () => intoPeak }),
    );
    const card = floor.clients.find((entry) => entry.clientId === b);
    // The card's usual rate now and its spike's agree.
    expect(card?.spike?.usualPerHour).toBeCloseTo(card?.usualPerHour ?? 0, 6);
    // 17:15–17:30, quiet: over, against that hour's usual rate (8 an hour, and what the fit carries over from the peak).
    const calm = new Date("2026-06-16T16:30:00Z");
    expect((await detect(calm)).map((change) => change.kind)).toEqual(["client.spike_ended"]);
    const ended = await spikeOfB();
    expect(ended?.endedAt).toEqual(calm);
    expect(ended?.usualPerHour).toBeGreaterThanOrEqual(8);
    expect(ended?.usualPerHour).toBeLessThan(20);
  });
});
