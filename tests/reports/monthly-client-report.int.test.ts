import { resolveScope } from "@parley/core/agencies";
import type { Scope } from "@parley/core/kernel";
import { getMonthlyClientReport } from "@parley/core/reports";
import { ALWAYS_OPEN } from "@parley/core/sla";
import { schema, withTenant } from "@parley/db";
import { renderMonthlyReportCsv, renderMonthlyReportPdf } from "@parley/documents";
import { createTestDatabase, makeAgency, pdfText, type TestAgency, type TestDatabase } from "@parley/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contractTerms, saveTerms } from "../billing/fixtures";
import { makeTestApp, signInAs, type TestApp } from "../support/http";

/**
 * The monthly client report over a hand-built October 2026 of Client A (Europe/London; British Summer Time ends on
 * the 25th): six items of the client's month — one written at 00:30 on 1 October London time (still 30 September
 * in UTC) — and one of 1 November at 00:30 that is not. The contract's targets: P1 first response in 60 min at
 * 95 %, P2 first response in 120 min at 90 %. Figures computed by hand below.
 */
let db: TestDatabase;
let app: TestApp;
let a: TestAgency;
const now = () => new Date("2026-11-02T09:00:00Z");
const minute = 60_000;
const ids: Record<string, string> = {};

async function item(
  name: string,
  at: string,
  priority: "P1" | "P2",
  plan: {
    replies?: Array<["acknowledgement" | "reply", number]>;
    firstResponseStoppedAfter?: number | null;
    targetMinutes?: number;
    escalation?: { after: number; answeredAfter: number | null };
    client?: "A" | "B";
    /** Another item's customer writing again in its thread. */
    inThreadOf?: string;
    body?: string;
  },
) {
  const clientId = plan.client === "B" ? a.otherClient.id : a.client.id;
  const channel = a.channels.find((candidate) => candidate.clientId === clientId);
  const writtenAt = new Date(at);
  const later = (minutes: number) => new Date(writtenAt.getTime() + minutes * minute);
  const [row] = await db.owner
    .insert(schema.items)
    .values({
      agencyId: a.agency.id,
      clientId,
      channelId: channel?.id ?? "",
      externalId: name,
      kind: "comment",
      authorExternalId: `author-${plan.inThreadOf ?? name}`,
      authorHandle: `@${plan.inThreadOf ?? name}`,
      threadExternalId: plan.inThreadOf ?? null,
      body: plan.body ?? `Parcel ${name} never arrived`,
      createdAt: writtenAt,
      receivedAt: writtenAt,
      priority,
    })
    .returning();
  const itemId = row?.id ?? "";
  ids[name] = itemId;
  for (const [kind, after] of plan.replies ?? []) {
    await db.owner.insert(schema.replies).values({
      agencyId: a.agency.id,
      clientId,
      itemId,
      channelId: channel?.id ?? "",
      kind,
      body: `${kind} to ${name}`,
      status: "sent",
      sentAt: later(after),
      authorUserId: a.users.moderator.id,
    });
  }
  if (plan.firstResponseStoppedAfter !== undefined) {
    const target = plan.targetMinutes ?? 60;
    const stoppedAt = plan.firstResponseStoppedAfter === null ? null : later(plan.firstResponseStoppedAfter);
    await db.owner.insert(schema.slaClocks).values({
      agencyId: a.agency.id,
      clientId,
      itemId,
      metric: "first_response",
      priority,
      targetMinutes: target,
      calendar: ALWAYS_OPEN,
      startedAt: writtenAt,
      dueAt: later(target),
      atRiskAt: later(target * 0.8),
      stoppedAt,
      met: stoppedAt ? stoppedAt <= later(target) : null,
    });
  }
  if (plan.escalation) {
    const { after, answeredAfter } = plan.escalation;
    await db.owner.insert(schema.escalations).values({
      agencyId: a.agency.id,
      clientId,
      itemId,
      status: answeredAfter === null ? "open" : "resolved",
      packet: {},
      levelStartedAt: later(after),
      answer: answeredAfter === null ? null : "Refund sent",
      answeredAt: answeredAfter === null ? null : later(answeredAfter),
      createdAt: later(after),
    });
  }
}

async function scopeOf(userId: string): Promise<Scope> {
  const scope = await resolveScope(db.app, { userId, agencyId: a.agency.id });
  if (!scope) throw new Error("not a member");
  return scope;
}

const reportAs = (scope: Scope, clientId: string) =>
  withTenant(db.app, { agencyId: scope.agencyId, clientIds: scope.clientIds, userId: scope.actorId }, (tx) =>
    getMonthlyClientReport(scope, tx, { clientId, month: "2026-10" }, { now }),
  );

beforeAll(async () => {
  db = await createTestDatabase();
  app = makeTestApp(db.app);
  a = await makeAgency(db.owner, { name: "Northwind Social" });
  await db.owner.update(schema.clients).set({ name: "Brightmart" }).where(eq(schema.clients.id, a.client.id));
  const am = await scopeOf(a.users.accountManager.id);
  await saveTerms(
    db.app,
    am,
    a.client.id,
    contractTerms({
      slaTargets: [
        { priority: "P1", metric: "first_response", minutes: 60, calendar: "24x7", complianceTargetPercent: 95 },
        { priority: "P2", metric: "first_response", minutes: 120, calendar: "24x7", complianceTargetPercent: 90 },
      ],
    }),
  );
  // 00:30 on 1 October in London: in the month. Reply after 15 min (acknowledgement and useful answer: 900 s).
  await item("i5", "2026-09-30T23:30:00Z", "P1", { replies: [["reply", 15]], firstResponseStoppedAfter: 15 });
  // Acknowledged after 5 min, answered after 25 min; first response met.
  await item("i1", "2026-10-05T09:00:00Z", "P1", {
    replies: [
      ["acknowledgement", 5],
      ["reply", 25],
    ],
    firstResponseStoppedAfter: 5,
  });
  // Answered after 90 min (breached); escalated after 10 min, the client answered an hour later.
  await item("i2", "2026-10-12T10:00:00Z", "P1", {
    replies: [["reply", 90]],
    firstResponseStoppedAfter: 90,
    escalation: { after: 10, answeredAfter: 70 },
  });
  // P2: only acknowledged, after 10 min (met).
  await item("i3", "2026-10-20T14:00:00Z", "P2", {
    replies: [["acknowledgement", 10]],
    firstResponseStoppedAfter: 10,
    targetMinutes: 120,
  });
  // P2 after the clocks went back: never answered (breached by now), escalated and not answered.
  await item("i4", "2026-10-26T08:00:00Z", "P2", {
    firstResponseStoppedAfter: null,
    targetMinutes: 120,
    escalation: { after: 5, answeredAfter: null },
  });
  // 23:30 on 31 October (GMT): in the month. Reply after 2 min.
  await item("i6", "2026-10-31T23:30:00Z", "P1", { replies: [["reply", 2]], firstResponseStoppedAfter: 2 });
  // i6's customer thanks 40 minutes after the reply (1 November: not an item of October, but its conversation is).
  await item("t6", "2026-11-01T00:10:00Z", "P2", { inThreadOf: "i6", body: "Thank you so much, that helped!" });
  // Not in Client A's October: 1 November at 00:30 London, and Client B's item.
  await item("i7", "2026-11-01T00:30:00Z", "P1", { replies: [["reply", 1]], firstResponseStoppedAfter: 1 });
  await item("b1", "2026-10-15T12:00:00Z", "P1", { replies: [["reply", 1]], client: "B" });
});
afterAll(() => db.close());

describe("monthly client report", () => {
  it("counts the client's local month against its contract, with acknowledgement and useful answer apart", async () => {
    const report = await reportAs(await scopeOf(a.users.accountManager.id), a.client.id);
    expect(report).toMatchObject({ clientName: "Brightmart", month: "2026-10", from: "2026-10-01", to: "2026-10-31" });
    // P1 first response: i5, i1, i6 met, i2 breached → 3 of 4. P2: i3 met, i4 past due → 1 of 2.
    expect(report.slaSummary.map((row) => [row.priority, row.metric, row.met, row.total, row.missed])).toEqual([
      ["P1", "first_response", 3, 4, true],
      ["P2", "first_response", 1, 2, true],
    ]);
    const t = report.totals;
    expect(t.itemsIn).toBe(6);
    expect(t.repliesSent).toBe(6);
    // Acknowledgement: 120, 300, 600, 900, 5,400 s → median 600, p90 900 + 0.6 × 4,500 = 3,600.
    expect(t.acknowledged).toMatchObject({ count: 5, medianSeconds: 600 });
    expect(t.acknowledged.p90Seconds).toBeCloseTo(3600, 6);
    // Useful answer: 120, 900, 1,500, 5,400 s → median 1,200, p90 1,500 + 0.7 × 3,900 = 4,230.
    expect(t.usefulAnswer.count).toBe(4);
    expect(t.usefulAnswer.medianSeconds).toBe(1200);
    expect(t.usefulAnswer.p90Seconds).toBeCloseTo(4230, 6);
    expect(t.escalated).toBe(2);
    expect(t.clientAnswer).toEqual({ count: 1, medianSeconds: 3600, p90Seconds: 3600 });
    expect(report.byChannel.map((channel) => [channel.itemsIn, channel.repliesSent])).toEqual([[6, 6]]);
    expect(report.byPriority.map((row) => [row.priority, row.itemsIn])).toEqual([
      ["P1", 4],
      ["P2", 2],
    ]);
    expect(report.escalationsTotal).toBe(2);
    expect(report.notableEscalations.map((e) => [e.itemId, e.answerSeconds])).toEqual([
      [ids.i2, 3600],
      [ids.i4, null],
    ]);
    // The six parcel complaints make one topic found in the text, new against the four weeks before.
    expect(report.topics).toEqual([
      {
        label: "arrived · never · parcel",
        kind: "discovered",
        volume: 6,
        previousFourWeeks: 0,
        trendPercent: null,
        newThisWeek: false,
        rising: true,
        example: expect.stringMatching(/^Parcel i\d never arrived$/),
      },
    ]);
    // Answered conversations: i5, i1, i2, i3, i6; thanked: i6. September had none.
    expect(report.gratitude).toEqual({ index: 0.2, thanked: 1, answered: 5, previousIndex: null });
  });

  it("counts and lists an incident's rolled-up escalations once, as the portal and the invoice do", async () => {
    const [incident] = await db.owner
      .select()
      .from(schema.escalations)
      .where(eq(schema.escalations.itemId, ids.i4 as string));
    const [rolledUp] = await db.owner
      .insert(schema.escalations)
      .values({
        agencyId: a.agency.id,
        clientId: a.client.id,
        itemId: ids.i3 as string,
        packet: {},
        rolledUpIntoId: incident!.id,
        createdAt: new Date("2026-10-26T08:30:00Z"),
      })
      .returning();
    try {
      const report = await reportAs(await scopeOf(a.users.accountManager.id), a.client.id);
      expect(report.escalationsTotal).toBe(2);
      expect(report.notableEscalations.map((e) => e.itemId)).toEqual([ids.i2, ids.i4]);
    } finally {
      await db.owner.delete(schema.escalations).where(eq(schema.escalations.id, rolledUp!.id));
    }
  });

  it("prints those figures in the PDF (text extracted) and the CSV", async () => {
    const report = await reportAs(await scopeOf(a.users.accountManager.id), a.client.id);
    const pdf = await renderMonthlyReportPdf(report);
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
    expect(await renderMonthlyReportPdf(report)).toEqual(pdf);
    // pdftotext keeps words apart but not always the spaces between them: compare without white space.
    const text = pdfText(pdf).replace(/\s+/g, "");
    const shows = (line: string) => expect(text).toContain(line.replace(/\s+/g, ""));
    shows("Northwind Social MONTHLY REPORT for Brightmart October 2026");
    shows("1 October 2026 – 31 October 2026 Times in Europe/London Figures as of 2 November 2026");
    shows("P1 First response 1 h, 24/7 3 / 4 75.00 % 95 % Missed");
    shows("P2 First response 2 h, 24/7 1 / 2 50.00 % 90 % Missed");
    shows("Items in 6");
    shows("Replies sent 6");
    shows("Acknowledged 5 of 6");
    shows("With a useful answer 4 of 6");
    shows("Time to acknowledgement 10 min / 1 h");
    shows("Time to useful answer 20 min / 1 h 11 min");
    shows("Escalated 2");
    shows("Client answer to escalations 1 h / 1 h");
    shows("P1 4 3 1 10 min 20 min");
    shows("P2 2 1 1 10 min –");
    shows("Top topics");
    shows("Gratitude index");
    shows("20.0 % 1 of 5 answered conversations; the month before: –");
    shows("2 escalation(s) this month");
    shows("P1 2026-10-12 11:10 resolved 1 h Parcel i2 never arrived");
    shows("P2 2026-10-26 08:05 open unanswered Parcel i4 never arrived");
    shows("Page 1 of 2");
    shows("Page 2 of 2");

    const csv = renderMonthlyReportCsv(report);
    expect(csv).toContain("sla,P1 first response,compliance percent,75.00\r\n");
    expect(csv).toContain("sla,P2 first response,result,missed\r\n");
    expect(csv).toContain("total,Brightmart,items in,6\r\n");
    expect(csv).toContain("topic,arrived · never · parcel,items,6\r\n");
    expect(csv).toContain("total,Brightmart,acknowledgement median seconds,600\r\n");
    expect(csv).toContain("total,Brightmart,useful answer p90 seconds,4230\r\n");
    expect(csv).toContain(`notable escalation,${ids.i2},P1 resolved,3600\r\n`);
  });

  it("lets a stakeholder read their own client's months only, over HTTP too", async () => {
    const stakeholder = await scopeOf(a.users.stakeholder.id);
    expect((await reportAs(stakeholder, a.client.id)).totals.itemsIn).toBe(6);
    await expect(reportAs(stakeholder, a.otherClient.id)).rejects.toMatchObject({ code: "NOT_FOUND" });

    const cookie = await signInAs(app, a.users.stakeholder.email);
    const get = (query: string, format = "pdf") =>
      app.request(`http://parley.test/v1/reports/monthly.${format}?${query}`, {
        headers: { host: "parley.test", cookie },
      });
    const own = await get(`clientId=${a.client.id}&month=2026-10`);
    expect(own.status).toBe(200);
    expect(own.headers.get("content-type")).toBe("application/pdf");
    expect(pdfText(new Uint8Array(await own.arrayBuffer()))).toContain("Brightmart");
    const csv = await get(`clientId=${a.client.id}&month=2026-10`, "csv");
    expect(await csv.text()).toContain("total,Brightmart,items in,6");
    const other = await get(`clientId=${a.otherClient.id}&month=2026-10`);
    expect(other.status).toBe(404);
    const bad = await get(`clientId=${a.client.id}&month=2026-13`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { details: { fields: { month: expect.any(String) } } } });
    const moderator = await signInAs(app, a.users.moderator.email);
    const refused = await app.request(
      `http://parley.test/v1/reports/monthly.pdf?clientId=${a.client.id}&month=2026-10`,
      { headers: { host: "parley.test", cookie: moderator } },
    );
    expect(refused.status).toBe(403);
  });
});
