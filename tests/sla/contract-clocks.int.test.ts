import { agencyDefaultLabel } from "@parley/contracts/billing";
import { resolveScope } from "@parley/core/agencies";
import { createInvoiceDrafts, refreshInvoiceDraft, saveContract } from "@parley/core/billing";
import { buildHandoverPacket } from "@parley/core/escalations";
import type { Scope } from "@parley/core/kernel";
import { getModerationItemDetail } from "@parley/core/moderation";
import { createProtocolVersion } from "@parley/core/protocols";
import {
  businessCalendarAt,
  getBusinessHours,
  getSlaBoard,
  getSlaPolicy,
  saveBusinessHours,
  saveSlaPolicy,
} from "@parley/core/sla";
import { type Executor, schema, withTenant } from "@parley/db";
import { createTestDatabase, makeAgency, setBusinessHours, type TestAgency, type TestDatabase } from "@parley/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { channelOf, clocksOf, ingestComment, weekdays } from "./support";

/**
 * Clocks start on the contract in force at arrival (or the agency's default policy), on the business-hours version
 * in force then, and keep what they started with; a past month is judged by what was in force then.
 */
type IngestChannel = ReturnType<typeof channelOf>;
let db: TestDatabase;
let a: TestAgency;
let scope: Scope;
let london: IngestChannel; // client A, Europe/London
let newYork: IngestChannel; // client B, America/New_York

const protocol = {
  categories: [
    { key: "outage", name: "Outage", match: { keywords: ["outage*"] }, priority: "P1", authority: "respond" },
    { key: "refund", name: "Refund", match: { keywords: ["refund*"] }, priority: "P2", authority: "respond" },
  ],
  defaultCategory: { key: "general", priority: "P3" },
};

const londonHours = { timeZone: "Europe/London", weekly: weekdays(["09:00", "17:00"]) };

function terms(overrides: Record<string, unknown> = {}) {
  return {
    currency: "EUR",
    validFrom: "2026-01-01",
    retainerMinor: 100_000,
    includedItems: 0,
    overageTiers: [{ upTo: null, unitPriceMinor: 50 }],
    escalationFeeMinor: 0,
    outOfHoursSurchargeMinor: 300,
    slaTargets: [
      { priority: "P1", metric: "first_response", minutes: 10, calendar: "24x7", complianceTargetPercent: 95 },
      {
        priority: "P2",
        metric: "first_response",
        minutes: 30,
        calendar: "business_hours",
        complianceTargetPercent: 90,
      },
    ],
    creditTiers: [{ fromPercent: 0, toPercent: 90, creditPercent: 10 }],
    creditCapPercent: 20,
    ...overrides,
  };
}

const asOwner = <T>(work: (tx: Executor) => Promise<T>) =>
  withTenant(db.app, { agencyId: a.agency.id, clientIds: null, userId: scope.actorId }, work);

let sequence = 0;
const ingest = (channel: IngestChannel, body: string, at: string) => {
  sequence += 1;
  return ingestComment(db.app, channel, { externalId: `clock-${sequence}`, body, now: new Date(at) });
};

beforeAll(async () => {
  db = await createTestDatabase();
  a = await makeAgency(db.owner);
  const found = await resolveScope(db.app, { userId: a.users.owner.id, agencyId: a.agency.id });
  if (!found) throw new Error("no scope");
  scope = found;
  london = channelOf(a);
  newYork = channelOf(a, a.otherClient.id);
  await setBusinessHours(db.owner, { agencyId: a.agency.id, clientId: a.client.id, calendar: londonHours });
  await asOwner(async (tx) => {
    for (const clientId of [a.client.id, a.otherClient.id]) {
      await createProtocolVersion(scope, tx, { clientId, document: protocol });
    }
  });
});
afterAll(() => db.close());

describe("clocks from the contract in force at arrival", () => {
  let contractId: string;

  it("take each priority's target and calendar from the contract, and start none for a priority it leaves out", async () => {
    contractId = (await asOwner((tx) => saveContract(scope, tx, { clientId: a.client.id, terms: terms() }))).id;
    const [version] = await db.owner
      .select()
      .from(schema.businessCalendars)
      .where(eq(schema.businessCalendars.clientId, a.client.id));
    // Saturday 21 November 2026, 10:00 in London (GMT).
    const p1 = await ingest(london, "Total outage again", "2026-11-21T10:00:00Z");
    const p2 = await ingest(london, "I want a refund", "2026-11-21T10:00:00Z");
    const p3 = await ingest(london, "Nice post", "2026-11-21T10:00:00Z");
    expect(await clocksOf(db.owner, p1)).toMatchObject([
      {
        metric: "first_response",
        targetMinutes: 10,
        calendarKind: "24x7",
        calendarVersionId: null,
        contractId,
        dueAt: new Date("2026-11-21T10:10:00Z"),
      },
    ]);
    // Business hours: the weekend does not count; 30 minutes from Monday's opening.
    expect(await clocksOf(db.owner, p2)).toMatchObject([
      {
        metric: "first_response",
        targetMinutes: 30,
        calendarKind: "business_hours",
        calendarVersionId: version?.id,
        contractId,
        dueAt: new Date("2026-11-23T09:30:00Z"),
      },
    ]);
    // The contract sets no P3 target, and no resolution target at all: no invented clock.
    expect(await clocksOf(db.owner, p3)).toEqual([]);
    // The item says so, in the contract's words; the P1 item names its contract and shows its time in London.
    const at = () => new Date("2026-11-21T10:12:00Z");
    const itemSla = (itemId: string) => asOwner((tx) => getModerationItemDetail(scope, tx, { itemId }, { now: at }));
    expect((await itemSla(p3)).sla).toMatchObject({
      source: `${a.client.name}'s contract`,
      timeZone: "Europe/London",
      clocks: [],
      withoutTarget: [`No first-response target for P3 in ${a.client.name}'s contract`],
    });
    expect((await itemSla(p1)).sla).toMatchObject({
      source: `${a.client.name}'s contract`,
      clocks: [{ metric: "first_response", targetMinutes: 10, calendarKind: "24x7", state: "breached" }],
      withoutTarget: [],
    });
    // The hand-over packet carries the same words and the zone its times are shown in.
    const packetOf = async (itemId: string) => {
      const [row] = await db.owner.select().from(schema.items).where(eq(schema.items.id, itemId));
      if (!row) throw new Error("no item");
      return asOwner((tx) => buildHandoverPacket(tx, { item: row, note: null, now: at() }));
    };
    expect(await packetOf(p3)).toMatchObject({
      timeZone: "Europe/London",
      slaSource: `${a.client.name}'s contract`,
      clocks: [],
      withoutTarget: [`No first-response target for P3 in ${a.client.name}'s contract`],
    });
    expect((await packetOf(p1)).clocks).toMatchObject([
      { metric: "first_response", targetMinutes: 10, calendarKind: "24x7", state: "breached" },
    ]);
    // Saturday: the P2 clock waits for Monday's opening, said in London's words.
    expect((await itemSla(p2)).sla?.clocks).toMatchObject([
      { state: "paused", note: `paused — outside ${a.client.name}'s hours, opens Mon 09:00 Europe/London` },
    ]);
  });

  it("keeps running clocks on the targets they started with when the contract changes; new items take the new ones", async () => {
    const before = await ingest(london, "outage on the app", "2026-11-24T10:00:00Z");
    await asOwner((tx) =>
      saveContract(scope, tx, {
        clientId: a.client.id,
        contractId,
        terms: terms({
          slaTargets: [
            { priority: "P1", metric: "first_response", minutes: 20, calendar: "24x7", complianceTargetPercent: 95 },
            {
              priority: "P2",
              metric: "first_response",
              minutes: 30,
              calendar: "business_hours",
              complianceTargetPercent: 90,
            },
          ],
        }),
      }),
    );
    const after = await ingest(london, "outage on the website", "2026-11-24T10:01:00Z");
    expect((await clocksOf(db.owner, before)).map((clock) => clock.targetMinutes)).toEqual([10]);
    expect((await clocksOf(db.owner, after)).map((clock) => clock.targetMinutes)).toEqual([20]);
  });

  it("shows a business-hours clock as paused outside the client's hours, with the next opening in its zone", async () => {
    const itemId = await ingest(london, "refund on a Saturday", "2026-11-28T11:00:00Z");
    const board = await asOwner((tx) =>
      getSlaBoard(scope, tx, { clientId: a.client.id, pageSize: 500 }, { now: () => new Date("2026-11-28T12:00:00Z") }),
    );
    const [clock] = board.items.find((item) => item.itemId === itemId)?.clocks ?? [];
    expect(clock).toMatchObject({
      metric: "first_response",
      targetMinutes: 30,
      calendarKind: "business_hours",
      state: "paused",
      msLeft: 30 * 60_000,
      note: `paused — outside ${a.client.name}'s hours, opens Mon 09:00 Europe/London`,
    });
  });

  it("runs a client without a contract on the agency's default policy, labelled as such, editable by an owner", async () => {
    const policy = await asOwner((tx) => getSlaPolicy(scope, tx));
    expect(policy.label).toBe("agency default (no contract)");
    expect(agencyDefaultLabel).toBe(policy.label);
    const first = await ingest(newYork, "outage here", "2026-11-24T15:00:00Z");
    expect(await clocksOf(db.owner, first)).toMatchObject([
      { metric: "first_response", targetMinutes: 15, calendarKind: "24x7", contractId: null },
      { metric: "resolution", targetMinutes: 240, calendarKind: "24x7", contractId: null },
    ]);
    const detail = await asOwner((tx) =>
      getModerationItemDetail(scope, tx, { itemId: first }, { now: () => new Date("2026-11-24T15:05:00Z") }),
    );
    expect(detail.sla).toMatchObject({ source: "agency default (no contract)", timeZone: "America/New_York" });
    expect(detail.sla?.clocks.map((clock) => clock.state)).toEqual(["running", "running"]);
    await asOwner((tx) =>
      saveSlaPolicy(scope, tx, {
        targets: [{ priority: "P1", metric: "first_response", minutes: 5, calendar: "24x7" }],
      }),
    );
    const second = await ingest(newYork, "outage again", "2026-11-24T15:01:00Z");
    expect(await clocksOf(db.owner, second)).toMatchObject([
      { metric: "first_response", targetMinutes: 5, contractId: null },
    ]);
    // The running clocks kept theirs.
    expect((await clocksOf(db.owner, first)).map((clock) => clock.targetMinutes)).toEqual([15, 240]);
    const refused = asOwner((tx) =>
      saveSlaPolicy(scope, tx, {
        targets: [{ priority: "P9", metric: "first_response", minutes: 0, calendar: "24x7" }],
      }),
    );
    await expect(refused).rejects.toMatchObject({
      code: "BAD_INPUT",
      details: { fields: { "targets.0.priority": expect.any(String), "targets.0.minutes": expect.any(String) } },
    });
  });
});

describe("business hours, versioned and effective-dated", () => {
  it("judges each instant by the version in force then", async () => {
    // Saved on Friday 27 November, from Monday 30 November: afternoons only.
    const savedAt = new Date("2026-11-27T12:00:00Z");
    const view = await asOwner((tx) =>
      saveBusinessHours(
        scope,
        tx,
        {
          clientId: a.client.id,
          effectiveFrom: "2026-11-30",
          calendar: { timeZone: "Europe/London", weekly: weekdays(["13:00", "17:00"]) },
        },
        { now: () => savedAt },
      ),
    );
    expect(view.current?.version).toBe(1);
    expect(view.upcoming.map((version) => version.version)).toEqual([2]);
    expect(view.preview).toHaveLength(14);
    expect(view.preview.find((day) => day.date === "2026-11-30")?.spans).toEqual([["13:00", "17:00"]]);
    expect(view.preview.find((day) => day.date === "2026-11-27")?.spans).toEqual([["09:00", "17:00"]]);
    const at = (instant: string) =>
      asOwner((tx) => businessCalendarAt(tx, { clientId: a.client.id, at: new Date(instant) }));
    expect((await at("2026-11-29T23:59:59Z"))?.weekly.mon).toEqual([["09:00", "17:00"]]);
    expect((await at("2026-11-30T00:00:00Z"))?.weekly.mon).toEqual([["13:00", "17:00"]]);
    // A P2 item on Friday runs on version 1; one on Monday on version 2.
    const friday = await ingest(london, "refund please", "2026-11-27T10:00:00Z");
    const monday = await ingest(london, "refund now", "2026-11-30T10:00:00Z");
    expect((await clocksOf(db.owner, friday))[0]?.dueAt).toEqual(new Date("2026-11-27T10:30:00Z"));
    expect((await clocksOf(db.owner, monday))[0]?.dueAt).toEqual(new Date("2026-11-30T13:30:00Z"));
  });

  it("refuses an effective date in the past and a malformed calendar, naming the field", async () => {
    const save = (input: unknown) =>
      asOwner((tx) => saveBusinessHours(scope, tx, input, { now: () => new Date("2026-11-27T12:00:00Z") }));
    await expect(
      save({ clientId: a.client.id, effectiveFrom: "2026-11-26", calendar: londonHours }),
    ).rejects.toMatchObject({ code: "BAD_INPUT", details: { fields: { effectiveFrom: expect.any(String) } } });
    await expect(
      save({
        clientId: a.client.id,
        effectiveFrom: "2026-12-01",
        calendar: { timeZone: "Europe/London", weekly: { mon: [["09:00", "25:00"]] } },
      }),
    ).rejects.toMatchObject({
      code: "BAD_INPUT",
      details: { fields: { "calendar.weekly.mon.0.1": expect.any(String) } },
    });
    const view = await asOwner((tx) =>
      getBusinessHours(scope, tx, { clientId: a.client.id }, { now: () => new Date("2026-11-27T12:00:00Z") }),
    );
    expect(view.versions).toHaveLength(2);
  });
});

describe("a past month", () => {
  it("keeps its draft to the cent when the hours and the contract change after it ends", async () => {
    // October 2026 under the contract in force and London's 09:00–17:00.
    await ingest(london, "outage in October", "2026-10-05T08:00:00Z"); // Monday 09:00 BST: in hours
    await ingest(london, "refund in October", "2026-10-10T12:00:00Z"); // Saturday: out of hours
    await ingest(london, "hello in October", "2026-10-12T20:00:00Z"); // Monday 21:00 BST: out of hours
    const draft = async () => {
      const [outcome] = await asOwner((tx) =>
        createInvoiceDrafts(
          scope,
          tx,
          { period: "2026-10", clientIds: [a.client.id] },
          { now: () => new Date("2026-12-05T00:00:00Z") },
        ),
      );
      if (!outcome || outcome.status === "skipped") throw new Error("no draft");
      return outcome.invoice;
    };
    const before = await draft();
    // In December: hours around the clock from today, and a renewal with other prices from 1 January.
    const december = new Date("2026-12-05T10:00:00Z");
    await asOwner(async (tx) => {
      await saveBusinessHours(
        scope,
        tx,
        { clientId: a.client.id, effectiveFrom: "2026-12-05", calendar: null },
        { now: () => december },
      );
      const [current] = await tx.select().from(schema.contracts).where(eq(schema.contracts.clientId, a.client.id));
      await saveContract(scope, tx, {
        clientId: a.client.id,
        contractId: current?.id,
        terms: { ...(current?.terms as object), validTo: "2027-01-01" },
      });
      await saveContract(scope, tx, {
        clientId: a.client.id,
        terms: terms({ validFrom: "2027-01-01", outOfHoursSurchargeMinor: 900, retainerMinor: 1 }),
      });
    });
    const refreshed = await asOwner((tx) =>
      refreshInvoiceDraft(scope, tx, { invoiceId: before.id }, { now: () => new Date("2026-12-06T00:00:00Z") }),
    );
    expect(refreshed.totalMinor).toBe(before.totalMinor);
    expect(refreshed.lines.map((line) => [line.kind, line.quantity, line.amountMinor])).toEqual(
      expect.arrayContaining([["out_of_hours", 2, 600]]),
    );
  });
});
