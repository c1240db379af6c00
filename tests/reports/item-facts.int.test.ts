import {
  getReport,
  listReportItems,
  type ReportItemRow,
  reportItemFigures,
  streamReportItemsCsv,
  sweepItemFacts,
} from "@parley/core/reports";
import { ALWAYS_OPEN } from "@parley/core/sla";
import { schema, withTenant } from "@parley/db";
import { reportItemsCsvColumns } from "@parley/documents";
import { createTestDatabase, makeAgency, type TestAgency, type TestDatabase } from "@parley/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * Item facts (core's `reports/item-facts.ts`): a report over materialized client-days is the live report — the same
 * figures, moderators' work, backlog, drill-down items and CSV bytes — and any later write on one of a day's items
 * (a reply sent, a delivery, an escalation answered, a clock stopped, a claim and a handling action, a hide) marks
 * the day stale, so the report shows the change at once, and the facts written again agree with it.
 */
let db: TestDatabase;
let a: TestAgency;
const period = { from: "2026-11-02", to: "2026-11-04" };
const now = () => new Date("2026-11-04T20:00:00Z");
const reader = () => ({ agencyId: a.agency.id, clientIds: null });
const columns = reportItemsCsvColumns("https://parley.test/console/items/");

beforeAll(async () => {
  db = await createTestDatabase();
  a = await makeAgency(db.owner);
  const agencyId = a.agency.id;
  const [moderator, admin] = [a.users.moderator.id, a.users.admin.id];
  await db.owner.insert(schema.businessCalendars).values({
    agencyId,
    clientId: a.client.id,
    version: 1,
    effectiveFrom: "2026-01-01",
    effectiveAt: new Date("2026-01-01T00:00:00Z"),
    calendar: {
      timeZone: "Europe/London",
      weekly: Object.fromEntries(["mon", "tue", "wed", "thu", "fri"].map((day) => [day, [["09:00", "17:00"]]])),
    },
  });
  // Both clients (London, New York) over three local days and the evening before: answered items (two in five
  // acknowledged first, by one moderator or another), deliveries sent or failed, clocks met, breached, running
  // (past due or not at the report's instant) and paused, escalations answered or not, hidden, deleted and untouched
  // items, items still queued or claimed (the backlog), measured and idle claims, and the brand's own posts.
  await db.owner.execute(sql`
    insert into items (agency_id, client_id, channel_id, external_id, kind, author_external_id, author_handle, body,
      created_at, received_at, status, priority, moderation_action, tags, by_brand, claimed_by)
    select ${agencyId}, ch.client_id, ch.id, 'f-' || n, 'comment', 'a-' || (n % 31), '@a' || (n % 31), 'Body',
      t - interval '1 minute', t,
      (case when n % 40 = 0 then 'hidden' when n % 40 = 1 then 'deleted' when n % 40 = 2 then 'no_action'
            when n % 40 = 3 then 'queued' when n % 40 = 4 then 'claimed' when n % 40 = 5 then 'escalated'
            else 'responded' end)::item_status,
      (array['P1','P2','P3','P4'])[1 + n % 4]::priority,
      (case when n % 40 = 0 then 'hide' when n % 40 = 1 then 'delete' end)::moderation_action,
      case when n % 7 = 0 then array['billing'] else '{}' end, n % 97 = 0,
      case when n % 40 = 4 then ${moderator}::uuid end
    from generate_series(1, 900) n
    join channels ch on ch.client_id = case when n % 3 = 0 then ${a.otherClient.id}::uuid else ${a.client.id}::uuid end
    cross join lateral (select timestamptz '2026-11-01 20:00:00+00' + (n * 5 || ' minutes')::interval as t) at`);
  await db.owner.execute(sql`
    insert into replies (agency_id, client_id, item_id, channel_id, kind, body, status, sent_at, author_user_id,
      created_at, updated_at)
    select i.agency_id, i.client_id, i.id, i.channel_id, r.kind::reply_kind, 'Thanks', 'sent', i.created_at + r.after,
      case when hh.h % 3 = 0 then ${admin}::uuid else ${moderator}::uuid end, i.created_at + r.after,
      i.created_at + r.after
    from items i
    cross join lateral (select abs(hashtext(i.external_id)) as h) hh
    cross join lateral (values ('reply', (5 + hh.h % 80) * interval '1 minute'),
      ('acknowledgement', interval '2 minutes')) r(kind, after)
    where i.agency_id = ${agencyId} and i.status = 'responded' and not i.by_brand
      and (r.kind = 'reply' or hh.h % 5 < 2)`);
  await db.owner.execute(sql`
    insert into outbound_deliveries (agency_id, client_id, channel_id, item_id, reply_id, action, status, attempts,
      next_attempt_at, created_at, updated_at)
    select agency_id, client_id, channel_id, item_id, id, 'reply',
      (case when abs(hashtext(id::text)) % 9 = 0 then 'failed' else 'sent' end)::delivery_status, 1, sent_at, sent_at,
      sent_at
    from replies where agency_id = ${agencyId}`);
  await db.owner.execute(sql`
    insert into sla_clocks (agency_id, client_id, item_id, metric, priority, target_minutes, calendar, started_at,
      due_at, at_risk_at, stopped_at, client_side_ms, met, pauses)
    select i.agency_id, i.client_id, i.id, m.metric::clock_metric, i.priority, m.target,
      ${JSON.stringify(ALWAYS_OPEN)}::jsonb, i.received_at, i.received_at + m.target * interval '1 minute',
      i.received_at + m.target * 0.8 * interval '1 minute',
      case when i.status in ('queued', 'claimed', 'escalated') then null
        else i.received_at + m.took * interval '1 minute' end,
      case when i.status = 'escalated' then 120000 else 0 end,
      case when i.status in ('queued', 'claimed', 'escalated') then null else m.took <= m.target end,
      case when i.status = 'escalated' and hh.h % 2 = 0
        then jsonb_build_array(jsonb_build_array(i.received_at + interval '2 minutes', null))
        else '[]'::jsonb end
    from items i
    cross join lateral (select abs(hashtext(i.external_id)) as h) hh
    cross join lateral (values ('first_response', 60, 5 + hh.h % 80), ('resolution', 480, 30 + hh.h % 600))
      m(metric, target, took)
    where i.agency_id = ${agencyId} and not i.by_brand`);
  await db.owner.execute(sql`
    insert into escalations (agency_id, client_id, item_id, packet, status, level_started_at, answer, answered_at,
      created_at, updated_at)
    select agency_id, client_id, id, '{}'::jsonb, 'open', received_at + interval '10 minutes', null,
      case when abs(hashtext(external_id)) % 2 = 0 then received_at + interval '70 minutes' end,
      received_at + interval '10 minutes', received_at + interval '10 minutes'
    from items where agency_id = ${agencyId} and status = 'escalated'`);
  await db.owner.execute(sql`
    insert into audit_events (agency_id, client_id, actor_user_id, action, subject_type, subject_id, after, created_at)
    select i.agency_id, i.client_id, e.actor, e.action, e.subject_type, e.subject_id, e.after, i.received_at + e.after_at
    from items i
    cross join lateral (select case when abs(hashtext(i.external_id)) % 4 = 0 then ${admin}::uuid
      else ${moderator}::uuid end as actor) who
    cross join lateral (values
      ('item.claimed', 'item', i.id::text, null::jsonb, interval '1 minute', who.actor),
      (case i.status when 'responded' then 'reply.queued' when 'hidden' then 'item.hidden'
         when 'deleted' then 'item.deleted' when 'escalated' then 'escalation.opened' else 'item.no_action' end,
       case when i.status in ('responded', 'escalated') then 'reply' else 'item' end,
       case when i.status in ('responded', 'escalated') then gen_random_uuid()::text else i.id::text end,
       case when i.status in ('responded', 'escalated') then jsonb_build_object('itemId', i.id) end,
       case when i.external_id like '%9' then interval '90 minutes' else interval '4 minutes' end,
       case when i.external_id like '%8' then ${admin}::uuid else who.actor end)
    ) e(action, subject_type, subject_id, after, after_at, actor)
    where i.agency_id = ${agencyId} and not i.by_brand and i.status not in ('queued', 'claimed')
      and (e.action = 'item.claimed' or i.external_id not like '%7')`);
  await db.owner.execute(sql`analyze`);
}, 120_000);
afterAll(() => db.close());

const read = <T>(work: Parameters<typeof withTenant<T>>[2]) => withTenant(db.app, reader(), work);

/** Everything a report shows of the period: figures, work and backlog; each figure's items; the export's bytes. */
async function reportOutputs() {
  const report = await read((tx) => getReport(reader(), tx, period, { now }));
  // One moderator's items: a report whose cells are built from rows (facts' rows on fresh days), not stored cells.
  const moderatorsReport = await read((tx) =>
    getReport(reader(), tx, { ...period, moderatorId: a.users.moderator.id }, { now }),
  );
  const drillDowns: Record<string, string[]> = {};
  for (const figure of reportItemFigures) {
    if (figure === "backlog") continue;
    const found = await read((tx) => listReportItems(reader(), tx, { ...period, figure, limit: 5000 }, { now }));
    drillDowns[figure] = found.items.map((row) => row.id);
  }
  for (const moderator of report.byModerator) {
    const found = await read((tx) =>
      listReportItems(
        reader(),
        tx,
        { ...period, figure: "handled", handledBy: moderator.moderatorId, limit: 5000 },
        {
          now,
        },
      ),
    );
    drillDowns[`handled by ${moderator.moderatorName}`] = found.items.map((row) => row.id);
  }
  for (const point of report.backlog) {
    const found = await read((tx) =>
      listReportItems(reader(), tx, { ...period, figure: "backlog", date: point.date, limit: 5000 }, { now }),
    );
    drillDowns[`backlog ${point.date}`] = found.items.map((row) => row.id);
  }
  const paged = await read((tx) => listReportItems(reader(), tx, { ...period, limit: 40 }, { now }));
  const csv = await read(async (tx) => {
    const chunks: Uint8Array[] = [];
    for await (const chunk of await streamReportItemsCsv(reader(), tx, period, columns, { now })) chunks.push(chunk);
    return Buffer.concat(chunks).toString("utf8");
  });
  return { report, moderatorsReport, drillDowns, firstPage: paged, csv };
}

/** The fresh days of the agency's clients. */
async function factDays(): Promise<string[]> {
  const rows = await db.owner.execute<{ day: string }>(
    sql`select client_id || ' ' || day as day from item_fact_days where agency_id = ${a.agency.id} order by 1`,
  );
  return rows.map((row) => row.day);
}

/** The period read live (no fact days), then read from facts written afresh: both readings. */
async function liveThenFacts() {
  await db.owner.execute(sql`delete from item_fact_days where agency_id = ${a.agency.id}`);
  const live = await reportOutputs();
  await sweepItemFacts(db.app, { now: new Date() });
  expect((await factDays()).length).toBeGreaterThan(0);
  const facts = await reportOutputs();
  return { live, facts };
}

async function rowOf(itemId: string): Promise<ReportItemRow | undefined> {
  const found = await read((tx) => listReportItems(reader(), tx, { ...period, limit: 5000 }, { now }));
  return found.items.find((row) => row.id === itemId);
}

/** A customer item of the fixture (client A) whose status is `status`, and the UTC day it arrived. */
async function itemOf(status: string, offset = 0): Promise<{ id: string; day: string; clientId: string }> {
  const [row] = await db.owner.execute<{ id: string; day: string; client_id: string }>(sql`
    select id, (received_at at time zone 'UTC')::date::text as day, client_id from items
    where agency_id = ${a.agency.id} and client_id = ${a.client.id} and status = ${status} and not by_brand
      and received_at >= '2026-11-02 12:00:00+00'
    order by received_at offset ${offset} limit 1`);
  if (!row) throw new Error(`no ${status} item`);
  return { id: row.id, day: row.day, clientId: row.client_id };
}

describe("item facts", () => {
  it("give the live report's figures, drill-downs and CSV bytes over materialized days", async () => {
    const { live, facts } = await liveThenFacts();
    expect(live.report.totals.itemsIn).toBeGreaterThan(800);
    expect(live.report.byModerator).toHaveLength(2);
    expect(live.report.backlog.some((point) => point.open > 0)).toBe(true);
    expect(live.report.totals.firstResponse.breached).toBeGreaterThan(0);
    expect(facts.report).toEqual(live.report);
    expect(live.moderatorsReport.totals.itemsIn).toBeGreaterThan(0);
    expect(live.moderatorsReport.totals.itemsIn).toBeLessThan(live.report.totals.itemsIn);
    expect(facts.moderatorsReport).toEqual(live.moderatorsReport);
    expect(facts.drillDowns).toEqual(live.drillDowns);
    expect(facts.firstPage).toEqual(live.firstPage);
    expect(facts.csv).toBe(live.csv);
    // Every item of the period was read from facts: a change the triggers do not hear of does not show.
    const unheard = await itemOf("responded");
    await db.owner.transaction(async (tx) => {
      await tx.execute(sql`set local session_replication_role = replica`);
      await tx.execute(sql`update items set priority = case when priority = 'P1' then 'P2' else 'P1' end::priority
        where id = ${unheard.id}`);
    });
    const shown = await rowOf(unheard.id);
    const [stored] = await db.owner.execute<{ priority: string }>(
      sql`select priority from items where id = ${unheard.id}`,
    );
    expect(shown?.priority).not.toBe(stored?.priority);
    // And the figures were added up from the days' stored cells: they do not show it either.
    const figures = await read((tx) => getReport(reader(), tx, period, { now }));
    expect(figures.byPriority).toEqual(facts.report.byPriority);
    // A report's size is counted from those cells: exactly its items.
    const items = facts.report.totals.itemsIn;
    await read((tx) => getReport(reader(), tx, period, { now, maxItems: items }));
    await expect(read((tx) => getReport(reader(), tx, period, { now, maxItems: items - 1 }))).rejects.toMatchObject({
      details: { reason: "report_too_large" },
    });
  });

  it("build a client's days live when its time zone changes, then store them in the new zone", async () => {
    const { facts } = await liveThenFacts();
    const clientDays = async () => (await factDays()).filter((day) => day.startsWith(a.client.id));
    expect((await clientDays()).length).toBeGreaterThan(0);
    await db.owner.execute(sql`update clients set time_zone = 'Asia/Kolkata' where id = ${a.client.id}`);
    expect(await clientDays()).toEqual([]);
    const live = await reportOutputs();
    // Its items now fall on other local dates and hours (UTC+5:30, not UTC+0).
    expect(live.report.byHour).not.toEqual(facts.report.byHour);
    await sweepItemFacts(db.app, { now: new Date() });
    expect((await clientDays()).length).toBeGreaterThan(0);
    expect(await reportOutputs()).toEqual(live);
    await db.owner.execute(sql`update clients set time_zone = 'Europe/London' where id = ${a.client.id}`);
  });

  it("build the days from a calendar version's effect on live, then store them by it", async () => {
    const { facts } = await liveThenFacts();
    const clientDays = async () => (await factDays()).filter((day) => day.startsWith(a.client.id));
    const before = await clientDays();
    // Hours on Saturdays only, in force from 3 November: a version written after its effect (a seed, an import).
    const [version] = await db.owner
      .insert(schema.businessCalendars)
      .values({
        agencyId: a.agency.id,
        clientId: a.client.id,
        version: 2,
        effectiveFrom: "2026-11-03",
        effectiveAt: new Date("2026-11-03T00:00:00Z"),
        calendar: { timeZone: "Europe/London", weekly: { sat: [["09:00", "17:00"]] } },
      })
      .returning({ id: schema.businessCalendars.id });
    expect(await clientDays()).toEqual(before.filter((day) => day < `${a.client.id} 2026-11-03`));
    const live = await reportOutputs();
    expect(live.report.byBusinessHours).not.toEqual(facts.report.byBusinessHours);
    await sweepItemFacts(db.app, { now: new Date() });
    expect(await clientDays()).toEqual(before);
    expect(await reportOutputs()).toEqual(live);
    await db.owner.delete(schema.businessCalendars).where(sql`id = ${version?.id}`);
    await db.owner.execute(sql`delete from item_fact_days where agency_id = ${a.agency.id}`);
  });

  it("mark a day stale at every later write on one of its items, and the report shows the change", async () => {
    await liveThenFacts();
    const moderator = a.users.moderator.id;
    const changes: Array<{ name: string; change: () => Promise<string>; shows: (row: ReportItemRow) => unknown }> = [
      {
        name: "a reply sent",
        change: async () => {
          const item = await itemOf("queued");
          await db.owner.execute(sql`insert into replies (agency_id, client_id, item_id, channel_id, kind, body, status,
              sent_at, author_user_id)
            select agency_id, client_id, id, channel_id, 'reply', 'Sorted', 'sent', '2026-11-04 12:00:00+00',
              ${moderator} from items where id = ${item.id}`);
          return item.id;
        },
        shows: (row) => row.usefulAnswerAt?.toISOString() === "2026-11-04T12:00:00.000Z",
      },
      {
        name: "a delivery failed",
        change: async () => {
          const item = await itemOf("responded", 1);
          await db.owner.execute(sql`insert into outbound_deliveries (agency_id, client_id, channel_id, item_id, action,
              status, attempts, next_attempt_at, created_at, updated_at)
            select agency_id, client_id, channel_id, id, 'reply', 'failed', 3, now(), now(), now()
            from items where id = ${item.id}`);
          return item.id;
        },
        shows: (row) => row.deliveryStatus === "failed",
      },
      {
        name: "an escalation answered",
        change: async () => {
          const [row] = await db.owner.execute<{ item_id: string }>(sql`update escalations
            set answered_at = '2026-11-04 18:00:00+00'
            where item_id = (select e.item_id from escalations e join items i on i.id = e.item_id
              where e.agency_id = ${a.agency.id} and i.client_id = ${a.client.id} and e.answered_at is null
                and i.received_at >= '2026-11-02 12:00:00+00'
              order by i.received_at limit 1)
            returning item_id`);
          return row?.item_id ?? "";
        },
        shows: (row) => row.escalationAnsweredAt?.toISOString() === "2026-11-04T18:00:00.000Z",
      },
      {
        name: "a clock stopped",
        change: async () => {
          const item = await itemOf("claimed");
          await db.owner.execute(sql`update sla_clocks set stopped_at = started_at + interval '3 minutes', met = true
            where item_id = ${item.id} and metric = 'resolution'`);
          return item.id;
        },
        shows: (row) => row.resolutionState === "met",
      },
      {
        name: "a claim and a handling action",
        change: async () => {
          const item = await itemOf("queued", 1);
          await db.owner.execute(
            sql`update items set status = 'claimed', claimed_by = ${moderator} where id = ${item.id}`,
          );
          await db.owner.execute(sql`insert into audit_events (agency_id, client_id, actor_user_id, action, subject_type,
              subject_id, created_at)
            values (${a.agency.id}, ${item.clientId}, ${moderator}, 'item.claimed', 'item', ${item.id},
              '2026-11-04 10:00:00+00'),
              (${a.agency.id}, ${item.clientId}, ${moderator}, 'item.no_action', 'item', ${item.id},
              '2026-11-04 10:05:00+00')`);
          await db.owner.execute(sql`update items set status = 'no_action', claimed_by = null where id = ${item.id}`);
          return item.id;
        },
        shows: (row) => row.status === "no_action" && row.handlingSeconds === 300,
      },
      {
        name: "a hide",
        change: async () => {
          const item = await itemOf("responded", 2);
          await db.owner.execute(
            sql`update items set status = 'hidden', moderation_action = 'hide' where id = ${item.id}`,
          );
          return item.id;
        },
        shows: (row) => row.status === "hidden" && row.moderationAction === "hide",
      },
    ];
    for (const { name, change, shows } of changes) {
      const before = await factDays();
      const itemId = await change();
      const [item] = await db.owner.execute<{ day: string; client_id: string }>(
        sql`select (received_at at time zone 'UTC')::date::text as day, client_id from items where id = ${itemId}`,
      );
      const stale = `${item?.client_id} ${item?.day}`;
      expect({ name, stale: before.includes(stale) }).toEqual({ name, stale: true });
      expect({ name, after: await factDays() }).toEqual({ name, after: before.filter((day) => day !== stale) });
      const row = await rowOf(itemId);
      expect({ name, shown: row && shows(row) }).toEqual({ name, shown: true });
      await sweepItemFacts(db.app, { now: new Date() });
      expect({ name, after: await factDays() }).toEqual({ name, after: before });
      expect({ name, shown: shows((await rowOf(itemId)) as ReportItemRow) }).toEqual({ name, shown: true });
    }
    const { live, facts } = await liveThenFacts();
    expect(facts).toEqual(live);
  });

  it("leave ingest's new items alone: a write on an item received now marks nothing", async () => {
    await sweepItemFacts(db.app, { now: new Date() });
    const before = await factDays();
    const channel = a.channels.find((c) => c.clientId === a.client.id);
    await db.owner.insert(schema.items).values({
      agencyId: a.agency.id,
      clientId: a.client.id,
      channelId: channel?.id ?? "",
      externalId: "now-1",
      kind: "comment",
      authorExternalId: "now",
      authorHandle: "now",
      body: "Hello",
      createdAt: new Date(),
    });
    await db.owner.execute(sql`update items set status = 'hidden' where external_id = 'now-1'`);
    expect(await factDays()).toEqual(before);
  });
});
