import { type CsvCell, numberCell, textCell, writeCsvRows } from "@parley/contracts";
import { listReportItems, type ReportItemRow, streamReportItemsCsv } from "@parley/core/reports";
import { ALWAYS_OPEN } from "@parley/core/sla";
import { withTenant } from "@parley/db";
import { localTimeFormatter, reportItemsCsvColumns, reportItemsCsvHead } from "@parley/documents";
import { createTestDatabase, makeAgency, type TestAgency, type TestDatabase } from "@parley/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { callProcedure, makeTestApp, signInAs, type TestApp, testOrigin } from "../support/http";

/**
 * The one-row-per-item export (`GET /v1/reports/items.csv`) is read through one cursor in one tenant transaction, its
 * lines written by PostgreSQL: it must be the very file the drill-down's pages make (`listReportItems`, each row's
 * cells written by contracts' `writeCsv`, as the export wrote them in Node before), byte for byte, for every item and
 * for one figure's; it holds its transaction only while the client reads, and a client that goes away mid-file
 * releases the cursor and the connection.
 */
let db: TestDatabase;
let app: TestApp;
let a: TestAgency;
let reportsKey: string;
const period = { from: "2026-11-02", to: "2026-11-03" };
const itemCount = 12_000;

beforeAll(async () => {
  db = await createTestDatabase();
  app = makeTestApp(db.app);
  a = await makeAgency(db.owner);
  const agencyId = a.agency.id;
  const moderator = a.users.moderator.id;
  // Items over two local days for both clients (London and New York), with what the export shows: replies (two in
  // five acknowledged first), deliveries, first-response and resolution clocks (some late, some running), a few
  // escalations, tags, a handle that needs quoting, and measured claims (a claim, then a queued reply).
  await db.owner.execute(sql`
    insert into items (agency_id, client_id, channel_id, external_id, kind, author_external_id, author_handle, body,
      created_at, received_at, status, priority, moderation_action, tags)
    select ${agencyId}, ch.client_id, ch.id, 'x-' || n, 'comment', 'a-' || (n % 97),
      case when n % 11 = 0 then '"quoted", handle' else '@a' || (n % 97) end, 'Body',
      t - interval '1 minute', t,
      (case when n % 50 = 0 then 'hidden' when n % 50 = 1 then 'deleted' when n % 50 = 2 then 'no_action'
            when n % 50 = 3 then 'queued' else 'responded' end)::item_status,
      (array['P1','P2','P3','P4'])[1 + n % 4]::priority,
      (case when n % 50 = 0 then 'hide' when n % 50 = 1 then 'delete' end)::moderation_action,
      case when n % 7 = 0 then array['billing', 'late'] else '{}' end
    from generate_series(1, ${itemCount}) n
    join channels ch on ch.client_id = case when n % 3 = 0 then ${a.otherClient.id}::uuid else ${a.client.id}::uuid end
    cross join lateral (select timestamptz '2026-11-02 06:00:00+00' + (n * 13 || ' seconds')::interval as t) at`);
  await db.owner.execute(sql`
    insert into replies (agency_id, client_id, item_id, channel_id, kind, body, status, sent_at, author_user_id,
      created_at, updated_at)
    select i.agency_id, i.client_id, i.id, i.channel_id, r.kind::reply_kind, 'Thanks', 'sent',
      i.created_at + r.after, ${moderator}, i.created_at + r.after, i.created_at + r.after
    from items i
    cross join lateral (values ('reply', (5 + abs(hashtext(i.external_id)) % 80) * interval '1 minute'),
      ('acknowledgement', interval '2 minutes')) r(kind, after)
    where i.agency_id = ${agencyId} and i.status = 'responded'
      and (r.kind = 'reply' or abs(hashtext(i.external_id)) % 5 < 2)`);
  await db.owner.execute(sql`
    insert into outbound_deliveries (agency_id, client_id, channel_id, item_id, reply_id, action, status, attempts,
      next_attempt_at, created_at, updated_at)
    select agency_id, client_id, channel_id, item_id, id, 'reply', 'sent', 1, sent_at, sent_at, sent_at
    from replies where agency_id = ${agencyId}`);
  await db.owner.execute(sql`
    insert into sla_clocks (agency_id, client_id, item_id, metric, priority, target_minutes, calendar, started_at,
      due_at, at_risk_at, stopped_at, client_side_ms, met)
    select i.agency_id, i.client_id, i.id, m.metric::clock_metric, i.priority, m.target,
      ${JSON.stringify(ALWAYS_OPEN)}::jsonb, i.received_at, i.received_at + m.target * interval '1 minute',
      i.received_at + m.target * 0.8 * interval '1 minute',
      case when i.status = 'queued' then null else i.received_at + m.took * interval '1 minute' end, 0,
      case when i.status = 'queued' then null else m.took <= m.target end
    from items i
    cross join lateral (select abs(hashtext(i.external_id)) as h) hh
    cross join lateral (values ('first_response', 60, 5 + hh.h % 80), ('resolution', 480, 30 + hh.h % 600))
      m(metric, target, took)
    where i.agency_id = ${agencyId}`);
  await db.owner.execute(sql`
    insert into escalations (agency_id, client_id, item_id, packet, status, level_started_at, answer, answered_at,
      resolved_at, created_at, updated_at)
    select agency_id, client_id, id, '{}'::jsonb, 'resolved', received_at + interval '10 minutes', 'Answered',
      received_at + interval '50 minutes', received_at + interval '4 hours', received_at + interval '10 minutes',
      received_at + interval '4 hours'
    from items where agency_id = ${agencyId} and external_id like '%37'`);
  await db.owner.execute(sql`
    insert into audit_events (agency_id, client_id, actor_user_id, action, subject_type, subject_id, created_at)
    select i.agency_id, i.client_id, ${moderator}, e.action, 'item', i.id::text, i.received_at + e.after
    from items i
    cross join lateral (values ('item.claimed', interval '1 minute'), ('reply.queued', interval '4 minutes'))
      e(action, after)
    where i.agency_id = ${agencyId} and i.status = 'responded' and i.external_id like '%3'`);
  await db.owner.execute(sql`analyze`);
  const owner = await signInAs(app, a.users.owner.email);
  const created = await callProcedure(app, {
    cookie: owner,
    path: "apiKeys.create",
    type: "mutation",
    input: { name: "Reports", scopes: ["reports:read"] },
  });
  reportsKey = (created.data as { secret: string }).secret;
}, 120_000);
afterAll(() => db.close());

const itemLink = (itemId: string) => `${testOrigin}/console/items/${itemId}`;
const exportOf = (query: string) =>
  app.request(`${testOrigin}/v1/reports/items.csv?from=${period.from}&to=${period.to}${query}`, {
    headers: { host: "parley.test", authorization: `Bearer ${reportsKey}` },
  });

/** A drill-down row's cells as the export wrote them in Node: times local to the row's zone, minutes to two decimals. */
function cellsOf(row: ReportItemRow): CsvCell[] {
  const format = localTimeFormatter(row.timeZone);
  const at = (value: Date | null) => (value ? textCell(format(value)) : null);
  const text = (value: string | null) => (value === null || value === "" ? null : textCell(value));
  const minutes = (value: number) => numberCell(String(Math.round(value * 100) / 100));
  const minutesTo = (value: Date | null) =>
    value ? minutes((value.getTime() - row.createdAt.getTime()) / 60_000) : null;
  return [
    textCell(row.id),
    textCell(itemLink(row.id)),
    textCell(row.clientName),
    textCell(row.channelName),
    textCell(row.platform),
    text(row.customerId),
    textCell(row.authorHandle),
    text(row.categoryKey),
    text(row.tags.join(" ")),
    textCell(row.priority),
    textCell(row.status),
    text(row.moderationAction),
    text(row.moderators.join("; ")),
    at(row.createdAt),
    at(row.receivedAt),
    at(row.acknowledgedAt),
    at(row.usefulAnswerAt),
    minutesTo(row.acknowledgedAt),
    minutesTo(row.usefulAnswerAt),
    text(row.firstResponseState),
    text(row.resolutionState),
    at(row.resolvedAt),
    textCell(row.escalatedAt ? "yes" : "no"),
    at(row.escalatedAt),
    at(row.escalationAnsweredAt),
    textCell(row.inHours ? "yes" : "no"),
    row.handlingSeconds === null ? null : minutes(row.handlingSeconds / 60),
    text(row.deliveryStatus),
    textCell(row.timeZone),
  ];
}

/** The file as the drill-down's pages make it: `listReportItems` 5,000 rows at a time, each row by `cellsOf`. */
async function pagedFile(figure: "items_in" | "first_response_breached"): Promise<{ text: string; rows: number }> {
  const reader = { agencyId: a.agency.id, clientIds: null };
  const rows: ReportItemRow[] = [];
  let cursor: string | undefined;
  do {
    const page = await withTenant(db.app, reader, (tx) =>
      listReportItems(reader, tx, { ...period, figure, cursor, limit: 5000 }),
    );
    rows.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return { text: reportItemsCsvHead() + writeCsvRows(rows.map(cellsOf)), rows: rows.length };
}

/** The report's transactions still open on the app's connections: a read under way, or one left behind. */
async function openExportReads(): Promise<number> {
  const [row] = await db.owner.execute<{ open: number }>(sql`
    select count(*)::int as open from pg_stat_activity
    where datname = current_database() and pid <> pg_backend_pid()
      and state in ('active', 'idle in transaction') and query like '%with handled_claims as materialized%'`);
  return Number(row?.open);
}

describe("GET /v1/reports/items.csv, read through one cursor", () => {
  it("is the drill-down's pages, byte for byte: every item, and one figure's", async () => {
    for (const [figure, query] of [
      ["items_in", ""],
      ["first_response_breached", "&figure=first_response_breached"],
    ] as const) {
      const expected = await pagedFile(figure);
      const response = await exportOf(query);
      expect(response.status).toBe(200);
      // Bytes, not `text()`: decoding drops the byte-order mark.
      const bytes = Buffer.from(await response.arrayBuffer());
      expect(bytes.equals(Buffer.from(expected.text))).toBe(true);
      const text = bytes.toString("utf8");
      expect(text.trimEnd().split("\r\n")).toHaveLength(expected.rows + 1);
    }
    // Several of the cursor's batches (2,000 rows), and not a multiple of them.
    expect((await pagedFile("items_in")).rows).toBe(11_754);
  });

  it("writes each column of a crafted item as the export always has", async () => {
    // One London item on 1 December (GMT: local time is UTC), received at .123456 s (a `Date` keeps .123): an
    // acknowledgement and a reply, a failed then a sent delivery, first response met, resolution breached, an
    // escalation the client answered, a measured claim of 3 minutes, tags, a category and a handle a spreadsheet
    // would read as a formula.
    const agencyId = a.agency.id;
    const moderator = a.users.moderator;
    const channel = a.channels.find((candidate) => candidate.clientId === a.client.id);
    if (!channel) throw new Error("no channel");
    const [author] = await db.owner.execute<{ name: string }>(sql`select name from users where id = ${moderator.id}`);
    const [item] = await db.owner.execute<{ id: string }>(sql`
      insert into items (agency_id, client_id, channel_id, external_id, kind, author_external_id, author_handle, body,
        created_at, received_at, status, priority, category_key, tags)
      values (${agencyId}, ${a.client.id}, ${channel.id}, 'crafted', 'comment', 'ann', '@ann', 'Where is it?',
        '2026-12-01 08:59:00.123456+00', '2026-12-01 09:00:00.123456+00', 'responded', 'P1', 'delivery',
        array['billing', 'late'])
      returning id`);
    const itemId = item?.id ?? "";
    await db.owner.execute(sql`
      insert into replies (agency_id, client_id, item_id, channel_id, kind, body, status, sent_at, author_user_id,
        created_at, updated_at)
      select ${agencyId}, ${a.client.id}, ${itemId}, ${channel.id}, r.kind::reply_kind, 'Text', 'sent', r.at,
        ${moderator.id}, r.at, r.at
      from (values ('acknowledgement', timestamptz '2026-12-01 09:02:00+00'),
        ('reply', timestamptz '2026-12-01 09:30:30+00')) r(kind, at)`);
    await db.owner.execute(sql`
      insert into outbound_deliveries (agency_id, client_id, channel_id, item_id, reply_id, action, status, attempts,
        next_attempt_at, created_at, updated_at)
      select agency_id, client_id, channel_id, item_id, id, 'reply',
        (case when kind = 'acknowledgement' then 'failed' else 'sent' end)::delivery_status, 1, sent_at, sent_at,
        sent_at
      from replies where item_id = ${itemId}`);
    await db.owner.execute(sql`
      insert into sla_clocks (agency_id, client_id, item_id, metric, priority, target_minutes, calendar, started_at,
        due_at, at_risk_at, stopped_at, client_side_ms, met)
      values
        (${agencyId}, ${a.client.id}, ${itemId}, 'first_response', 'P1', 60, ${JSON.stringify(ALWAYS_OPEN)}::jsonb,
          '2026-12-01 09:00:00+00', '2026-12-01 10:00:00+00', '2026-12-01 09:48:00+00', '2026-12-01 09:30:30+00', 0,
          true),
        (${agencyId}, ${a.client.id}, ${itemId}, 'resolution', 'P1', 480, ${JSON.stringify(ALWAYS_OPEN)}::jsonb,
          '2026-12-01 09:00:00+00', '2026-12-01 17:00:00+00', '2026-12-01 15:24:00+00', '2026-12-01 18:00:00+00', 0,
          false)`);
    await db.owner.execute(sql`
      insert into escalations (agency_id, client_id, item_id, packet, status, level_started_at, answer, answered_at,
        resolved_at, created_at, updated_at)
      values (${agencyId}, ${a.client.id}, ${itemId}, '{}'::jsonb, 'resolved', '2026-12-01 09:10:00+00', 'Answered',
        '2026-12-01 09:40:00+00', '2026-12-01 11:00:00+00', '2026-12-01 09:10:00+00', '2026-12-01 11:00:00+00')`);
    await db.owner.execute(sql`
      insert into audit_events (agency_id, client_id, actor_user_id, action, subject_type, subject_id, created_at)
      values (${agencyId}, ${a.client.id}, ${moderator.id}, 'item.claimed', 'item', ${itemId}, '2026-12-01 09:01:00+00'),
        (${agencyId}, ${a.client.id}, ${moderator.id}, 'reply.queued', 'item', ${itemId}, '2026-12-01 09:04:00+00')`);
    const response = await app.request(`${testOrigin}/v1/reports/items.csv?from=2026-12-01&to=2026-12-01`, {
      headers: { host: "parley.test", authorization: `Bearer ${reportsKey}` },
    });
    expect(response.status).toBe(200);
    const [, line, after] = (await response.text()).split("\r\n");
    expect(after).toBe("");
    expect(line?.split(",")).toEqual([
      itemId,
      itemLink(itemId),
      a.client.name,
      channel.displayName,
      "generic",
      "",
      "'@ann",
      "delivery",
      "billing late",
      "P1",
      "responded",
      "",
      author?.name,
      "2026-12-01 08:59:00",
      "2026-12-01 09:00:00",
      "2026-12-01 09:02:00",
      "2026-12-01 09:30:30",
      // From 08:59:00.123: 2.998 and 31.498 minutes, to two decimals.
      "3",
      "31.5",
      "met",
      "breached",
      "2026-12-01 18:00:00",
      "yes",
      "2026-12-01 09:10:00",
      "2026-12-01 09:40:00",
      "yes",
      "3",
      "sent",
      "Europe/London",
    ]);
  });

  it("links items to the console only for readers who can open them there", async () => {
    const linksOf = async (headers: Record<string, string>) => {
      const response = await app.request(
        `${testOrigin}/v1/reports/items.csv?from=${period.from}&to=${period.to}&clientId=${a.client.id}`,
        { headers: { host: "parley.test", ...headers } },
      );
      expect(response.status).toBe(200);
      const rows = (await response.text()).trimEnd().split("\r\n").slice(1);
      expect(rows.length).toBeGreaterThan(0);
      return new Set(rows.map((row) => row.split(",")[1] ?? ""));
    };
    const owner = await linksOf({ cookie: await signInAs(app, a.users.owner.email) });
    expect([...owner].every((link) => link.startsWith(`${testOrigin}/console/items/`))).toBe(true);
    // The stakeholder and the account manager read reports but have no console: an empty cell, not a dead link.
    for (const user of [a.users.stakeholder, a.users.accountManager]) {
      expect([...(await linksOf({ cookie: await signInAs(app, user.email) }))], user.email).toEqual([""]);
    }
  });

  it("writes the header alone for a period without items", async () => {
    const response = await app.request(`${testOrigin}/v1/reports/items.csv?from=2026-10-01&to=2026-10-02`, {
      headers: { host: "parley.test", authorization: `Bearer ${reportsKey}` },
    });
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).toString("utf8")).toBe(reportItemsCsvHead());
  });

  it("is read under the transaction's row-level security: another agency's tenant gets no row of this one", async () => {
    const other = await makeAgency(db.owner);
    const reader = { agencyId: a.agency.id, clientIds: null };
    const exported = (tenantAgencyId: string) =>
      withTenant(db.app, { agencyId: tenantAgencyId, clientIds: null }, async (tx) => {
        let rows = 0;
        const columns = reportItemsCsvColumns(`${testOrigin}/console/items/`);
        for await (const chunk of await streamReportItemsCsv(reader, tx, period, columns)) {
          rows += Buffer.from(chunk).toString("utf8").split("\r\n").length - 1;
        }
        return rows;
      });
    // Asked for this agency's items, in a transaction whose tenant is another agency: PostgreSQL shows it none.
    expect(await exported(other.agency.id)).toBe(0);
    expect(await exported(a.agency.id)).toBe(11_754);
  });

  it("holds its transaction while the client does not read, and releases it when the client goes away", async () => {
    const response = await exportOf("");
    const body = response.body?.getReader();
    if (!body) throw new Error("no body");
    const first = await body.read();
    expect(first.done).toBe(false);
    // Back-pressure: the rest of the file waits in the database for the client to read on.
    await vi.waitFor(async () => expect(await openExportReads()).toBe(1), { timeout: 10_000, interval: 50 });
    await body.cancel();
    await vi.waitFor(async () => expect(await openExportReads()).toBe(0), { timeout: 10_000, interval: 50 });
    // The connection went back to the pool in working order.
    const again = await exportOf("&figure=escalated");
    expect(again.status).toBe(200);
    expect((await again.text()).trimEnd().split("\r\n").length).toBeGreaterThan(1);
  });
});
