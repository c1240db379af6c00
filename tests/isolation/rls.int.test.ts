import { resolveScope } from "@parley/core/agencies";
import { saveContract } from "@parley/core/billing";
import { ingestChannelItems } from "@parley/core/moderation";
import { createProtocolVersion } from "@parley/core/protocols";
import { sweepItemFacts } from "@parley/core/reports";
import { type Executor, schema, uuidArray, withTenant } from "@parley/db";
import { createTestDatabase, makeAgency, type TestAgency, type TestDatabase } from "@parley/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gamesProtocol } from "../ingest/fixtures";

let db: TestDatabase;
let a: TestAgency;
let b: TestAgency;

beforeAll(async () => {
  db = await createTestDatabase();
  a = await makeAgency(db.owner);
  b = await makeAgency(db.owner);
  await withTenant(db.owner, { agencyId: a.agency.id, clientIds: null }, (tx) =>
    tx.insert(schema.auditEvents).values({ agencyId: a.agency.id, action: "test.seeded", subjectType: "agency" }),
  );
  // A protocol version, a contract, a customer and its identity, and an item: rows in every tenant table.
  const scope = await resolveScope(db.app, { userId: a.users.owner.id, agencyId: a.agency.id });
  if (!scope) throw new Error("no scope");
  await withTenant(db.app, { agencyId: a.agency.id, clientIds: null }, async (tx) => {
    await createProtocolVersion(scope, tx, { clientId: a.client.id, document: gamesProtocol });
    await saveContract(scope, tx, {
      clientId: a.client.id,
      terms: {
        currency: "GBP",
        validFrom: "2026-01-01",
        retainerMinor: 250_000,
        includedItems: 5000,
        overageTiers: [{ upTo: null, unitPriceMinor: 35 }],
        escalationFeeMinor: 1200,
        outOfHoursSurchargeMinor: 20,
        slaTargets: [
          { priority: "P1", metric: "first_response", minutes: 15, calendar: "24x7", complianceTargetPercent: 95 },
        ],
        creditTiers: [{ fromPercent: 0, toPercent: 95, creditPercent: 5 }],
        creditCapPercent: 10,
      },
    });
  });
  const channel = a.channels.find((c) => c.clientId === a.client.id);
  if (!channel) throw new Error("no channel");
  await ingestChannelItems(db.app, channel, [
    {
      op: "upsert",
      item: {
        externalId: "rls-1",
        kind: "comment",
        author: { externalId: "rls-author", handle: "rls" },
        body: "My account was hacked",
        createdAt: new Date(),
      },
    },
  ]);
  // Ingest started the item's clocks and wake-ups; a row in every other tenant table, so the "no tenant sees nothing" check has something to hide.
  await withTenant(db.owner, { agencyId: a.agency.id, clientIds: null }, async (tx) => {
    const [item] = await tx.select().from(schema.items).limit(1);
    if (!item) throw new Error("no item");
    const base = { agencyId: a.agency.id, clientId: item.clientId, itemId: item.id };
    const [reply] = await tx
      .insert(schema.replies)
      .values({ ...base, channelId: item.channelId, body: "We're on it", authorUserId: a.users.moderator.id })
      .returning();
    await tx
      .insert(schema.outboundDeliveries)
      .values({ ...base, channelId: item.channelId, replyId: reply?.id, action: "reply" });
    await tx.insert(schema.itemNotes).values({ ...base, authorUserId: a.users.moderator.id, body: "VIP customer" });
    await tx.insert(schema.invitations).values({
      agencyId: a.agency.id,
      email: "pending@example.test",
      name: "Pending",
      role: "moderator",
      tokenHash: "c".repeat(64),
      invitedBy: a.users.owner.id,
      expiresAt: new Date(Date.now() + 86_400_000),
    });
    await tx
      .insert(schema.apiKeys)
      .values({ agencyId: a.agency.id, name: "BI export", prefix: "pk_test", keyHash: "f".repeat(64) });
    const [playbook] = await tx
      .insert(schema.playbooks)
      .values({ agencyId: a.agency.id, clientId: item.clientId, name: "Account security", document: {} })
      .returning();
    await tx.insert(schema.escalations).values({ ...base, playbookId: playbook?.id, packet: {} });
    await tx.insert(schema.notifications).values({
      agencyId: a.agency.id,
      clientId: item.clientId,
      kind: "escalation.opened",
      subjectType: "escalation",
      subjectId: item.id,
      title: "Escalated",
      body: "Account security",
    });
    const [invoice] = await tx
      .insert(schema.invoices)
      .values({
        agencyId: a.agency.id,
        clientId: item.clientId,
        periodStart: "2026-10-01",
        periodEnd: "2026-11-01",
        currency: "GBP",
      })
      .returning();
    if (!invoice) throw new Error("no invoice");
    await tx.insert(schema.invoiceLines).values({
      agencyId: a.agency.id,
      clientId: item.clientId,
      invoiceId: invoice.id,
      position: 1,
      kind: "retainer",
      description: "Retainer",
      quantity: 1,
      unitPriceMinor: "250000",
      amountMinor: 250_000,
    });
    await tx.insert(schema.invoiceNumberCounters).values({ agencyId: a.agency.id });
    await tx.insert(schema.businessCalendars).values({
      agencyId: a.agency.id,
      clientId: item.clientId,
      version: 1,
      effectiveFrom: "2026-01-01",
      effectiveAt: new Date("2026-01-01T00:00:00Z"),
      calendar: { timeZone: "UTC", weekly: { mon: [["09:00", "17:00"]] } },
    });
    await tx.insert(schema.sandboxPosts).values({
      agencyId: a.agency.id,
      clientId: item.clientId,
      channelId: item.channelId,
      externalId: "sandbox-post",
      authorName: "Riley",
      body: "A comment on the sandbox page",
      postedAt: new Date(),
    });
    await tx.insert(schema.staffingSettings).values({
      agencyId: a.agency.id,
      maxOccupancyPercent: 85,
      shrinkagePercent: 30,
      fallbackAhtSeconds: 240,
      triageAhtSeconds: 60,
    });
    await tx.insert(schema.plannedEvents).values({
      agencyId: a.agency.id,
      clientId: item.clientId,
      name: "Launch",
      startsAt: new Date(),
      durationMinutes: 360,
      multiplier: 5,
    });
    await tx.insert(schema.volumeSpikes).values({
      agencyId: a.agency.id,
      clientId: item.clientId,
      startedAt: new Date(),
      usualPerHour: 8,
      startRatePerHour: 600,
      peakRatePerHour: 600,
      lastRatePerHour: 600,
    });
    const span = { agencyId: a.agency.id, membershipId: a.users.moderator.membershipId };
    await tx
      .insert(schema.rosterShifts)
      .values({ ...span, weekday: 4, startMinute: 12 * 60, endMinute: 18 * 60, startsOn: "2026-01-01" });
    await tx.insert(schema.rosterExceptions).values({
      ...span,
      kind: "absence",
      startsAt: new Date(),
      endsAt: new Date(Date.now() + 3_600_000),
    });
    await tx
      .insert(schema.topicDigests)
      .values({ agencyId: a.agency.id, clientId: item.clientId, weekStart: "2026-11-23" });
  });
  // An item of each agency received five days ago, claimed by its moderator and still waiting: the facts sweep writes its
  // settled days' facts and report cells (`item_facts`, `item_fact_days`, `report_cells`, `report_moderator_cells`,
  // `report_backlog_cells`) inside each agency's tenant.
  for (const agency of [a, b]) {
    const channel = agency.channels.find((c) => c.clientId === agency.client.id);
    const receivedAt = new Date(Date.now() - 5 * 86_400_000);
    const [settled] = await db.owner
      .insert(schema.items)
      .values({
        agencyId: agency.agency.id,
        clientId: agency.client.id,
        channelId: channel?.id ?? "",
        externalId: "rls-settled",
        kind: "comment",
        authorExternalId: "rls-author",
        authorHandle: "rls",
        body: "Still waiting for my refund",
        createdAt: receivedAt,
        receivedAt,
      })
      .returning({ id: schema.items.id });
    await db.owner.insert(schema.auditEvents).values({
      agencyId: agency.agency.id,
      clientId: agency.client.id,
      actorUserId: agency.users.moderator.id,
      action: "item.claimed",
      subjectType: "item",
      subjectId: settled?.id ?? "",
      createdAt: new Date(receivedAt.getTime() + 300_000),
    });
  }
  await sweepItemFacts(db.app, { now: new Date() });
});
afterAll(() => db.close());

async function tenantTables(): Promise<string[]> {
  const rows = await db.owner.execute<{ table_name: string }>(sql`
    select c.table_name from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = 'public' and c.column_name = 'agency_id' and t.table_type = 'BASE TABLE'
    order by 1`);
  return rows.map((row) => row.table_name);
}

describe("row-level security", () => {
  it("is enabled, forced and has a policy on every table with agency_id", async () => {
    const tables = await tenantTables();
    expect(tables).toEqual(
      expect.arrayContaining(["clients", "channels", "memberships", "client_assignments", "audit_events"]),
    );
    for (const table of tables) {
      const [row] = await db.owner.execute<{ enabled: boolean; forced: boolean; policies: number }>(sql`
        select c.relrowsecurity as enabled, c.relforcerowsecurity as forced,
          (select count(*)::int from pg_policies p where p.schemaname = 'public' and p.tablename = c.relname) as policies
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relname = ${table}`);
      expect({ table, ...row }).toEqual({ table, enabled: true, forced: true, policies: expect.any(Number) });
      expect(row?.policies, `${table} has no policy`).toBeGreaterThan(0);
    }
  });

  it("serves as a role that is not superuser, not owner and cannot bypass RLS", async () => {
    const [role] = await db.app.execute<{ rolsuper: boolean; rolbypassrls: boolean; owns: number }>(sql`
      select r.rolsuper, r.rolbypassrls,
        (select count(*)::int from pg_tables where schemaname = 'public' and tableowner = current_user) as owns
      from pg_roles r where r.rolname = current_user`);
    expect(role).toEqual({ rolsuper: false, rolbypassrls: false, owns: 0 });
  });

  it("shows the app role no rows of any tenant table when no tenant is set", async () => {
    for (const table of await tenantTables()) {
      const [owned] = await db.owner.execute<{ n: number }>(sql.raw(`select count(*)::int as n from "${table}"`));
      expect(owned?.n, `${table} should hold rows for this check`).toBeGreaterThan(0);
      const [seen] = await db.app.execute<{ n: number }>(sql.raw(`select count(*)::int as n from "${table}"`));
      expect(seen?.n, table).toBe(0);
    }
  });

  it("shows one agency's rows only, and scoped clients only", async () => {
    const all = await withTenant(db.app, { agencyId: a.agency.id, clientIds: null }, (tx) =>
      tx.select().from(schema.clients),
    );
    expect(all.map((c) => c.id).sort()).toEqual([a.client.id, a.otherClient.id].sort());
    const scoped = await withTenant(db.app, { agencyId: a.agency.id, clientIds: [a.client.id] }, (tx) =>
      tx.select().from(schema.channels),
    );
    expect(scoped.map((c) => c.clientId)).toEqual([a.client.id]);
  });

  it("scopes claim next's functions by the tenant they set, for their own transaction only", async () => {
    // The head of a queue (an item whose triage is due is left to the triage, so it is no head).
    const [item] = await db.owner
      .select()
      .from(schema.items)
      .where(
        sql`${schema.items.agencyId} = ${a.agency.id} and ${schema.items.status} = 'queued' and not exists (
          select 1 from workflow_wakeups w where w.flow = 'triage' and w.subject_id = ${schema.items.id})`,
      )
      .orderBy(schema.items.priority, schema.items.receivedAt)
      .limit(1);
    if (!item) throw new Error("no item");
    const heads = (agencyId: string, clientIds: string[]) =>
      db.app.execute<{
        id: string;
      }>(sql`select id from parley_claim_queue_heads(${agencyId}::uuid, ${uuidArray(clientIds)},
        ${JSON.stringify([{ client_id: item.clientId, count: 5 }])}::jsonb, ${uuidArray([])}, now())`);
    expect((await heads(a.agency.id, [item.clientId])).map((row) => row.id)).toContain(item.id);
    // Another agency, or clients outside the scope, see none of that queue.
    expect(await heads(b.agency.id, [item.clientId])).toEqual([]);
    expect(await heads(a.agency.id, [a.otherClient.id])).toEqual([]);
    const taken =
      await db.app.execute(sql`select id from parley_claim_take(${b.agency.id}::uuid, ${uuidArray([item.clientId])},
      ${JSON.stringify([{ id: item.id, actor: b.users.moderator.id, ip: null, expires_at: new Date(Date.now() + 60_000) }])}::jsonb,
      ${"[]"}::jsonb, now())`);
    expect(taken).toEqual([]);
    const [after] = await db.owner.select().from(schema.items).where(sql`${schema.items.id} = ${item.id}`);
    expect(after?.status).toBe(item.status);
    // The tenant they set ended with their transaction.
    const [setting] = await db.app.execute<{ agency: string | null }>(
      sql`select current_setting('app.agency_id', true) as agency`,
    );
    expect(setting?.agency ?? "").toBe("");
  });

  it("keeps each agency's item facts and report cells to it, and a scoped member's to their clients", async () => {
    for (const table of [
      schema.itemFacts,
      schema.reportCells,
      schema.reportModeratorCells,
      schema.reportBacklogCells,
    ]) {
      const rowsOf = (tenant: { agencyId: string; clientIds: string[] | null }) =>
        withTenant(db.app, tenant, (tx) =>
          tx.select({ agencyId: table.agencyId, clientId: table.clientId }).from(table),
        );
      expect(await rowsOf({ agencyId: a.agency.id, clientIds: null })).toEqual([
        { agencyId: a.agency.id, clientId: a.client.id },
      ]);
      expect(await rowsOf({ agencyId: b.agency.id, clientIds: null })).toEqual([
        { agencyId: b.agency.id, clientId: b.client.id },
      ]);
      expect(await rowsOf({ agencyId: a.agency.id, clientIds: [a.otherClient.id] })).toEqual([]);
    }
    const days = await withTenant(db.app, { agencyId: b.agency.id, clientIds: null }, (tx) =>
      tx.select({ agencyId: schema.itemFactDays.agencyId }).from(schema.itemFactDays),
    );
    expect(days.length).toBeGreaterThan(0);
    expect(days.every((day) => day.agencyId === b.agency.id)).toBe(true);
    // Another agency's tenant cannot write facts or cells for this one.
    const cell = { agencyId: a.agency.id, clientId: a.client.id, day: "2026-01-01", localDate: "2026-01-01" };
    const writes = [
      (tx: Executor) =>
        tx.insert(schema.itemFactDays).values({ agencyId: a.agency.id, clientId: a.client.id, day: "2026-01-01" }),
      (tx: Executor) =>
        tx.insert(schema.reportModeratorCells).values({
          ...cell,
          channelId: a.channels[0]?.id ?? "",
          priority: "P3",
          moderatorId: a.users.moderator.id,
          handled: 1,
          claimSeconds: [60],
          workHours: [new Date()],
        }),
    ];
    for (const write of writes) {
      await expect(withTenant(db.app, { agencyId: b.agency.id, clientIds: null }, write)).rejects.toMatchObject({
        cause: { message: expect.stringMatching(/row-level security/) },
      });
    }
  });

  it("rejects a cross-agency insert and leaves other agencies' rows untouched by updates", async () => {
    await expect(
      withTenant(db.app, { agencyId: a.agency.id, clientIds: null }, (tx) =>
        tx.insert(schema.clients).values({ agencyId: b.agency.id, name: "Smuggled", timeZone: "UTC" }),
      ),
    ).rejects.toMatchObject({ cause: { message: expect.stringMatching(/row-level security/) } });
    const updated = await withTenant(db.app, { agencyId: a.agency.id, clientIds: null }, (tx) =>
      tx.update(schema.clients).set({ name: "Hijacked" }).where(sql`${schema.clients.id} = ${b.client.id}`).returning(),
    );
    expect(updated).toEqual([]);
    await expect(
      withTenant(db.app, { agencyId: a.agency.id, clientIds: null }, (tx) =>
        tx.update(schema.clients).set({ agencyId: b.agency.id }).where(sql`${schema.clients.id} = ${a.client.id}`),
      ),
    ).rejects.toMatchObject({ cause: { message: expect.stringMatching(/row-level security/) } });
    const [still] = await db.owner.select().from(schema.clients).where(sql`${schema.clients.id} = ${b.client.id}`);
    expect(still?.name).toBe(b.client.name);
  });

  it("lets the app role append to audit_events but never update or delete them", async () => {
    const tenant = { agencyId: a.agency.id, clientIds: null };
    await withTenant(db.app, tenant, (tx) =>
      tx.insert(schema.auditEvents).values({ agencyId: a.agency.id, action: "test.appended", subjectType: "agency" }),
    );
    await expect(
      withTenant(db.app, tenant, (tx) => tx.execute(sql`update audit_events set action = 'rewritten'`)),
    ).rejects.toMatchObject({ cause: { code: "42501" } });
    await expect(withTenant(db.app, tenant, (tx) => tx.execute(sql`delete from audit_events`))).rejects.toMatchObject({
      cause: { code: "42501" },
    });
    const [row] = await db.owner.execute<{ n: number }>(
      sql`select count(*)::int as n from audit_events where action = 'rewritten'`,
    );
    expect(row?.n).toBe(0);
  });
});
