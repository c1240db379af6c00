import { silentLogger } from "@parley/api/logger";
import { createNotifier } from "@parley/connectors/notify";
import { sendMonthlyClientReports } from "@parley/core/reports";
import { closeDatabase, createDatabase, type Database, schema } from "@parley/db";
import { renderMonthlyReportPdf } from "@parley/documents";
import { createTestDatabase, makeAgency, type TestAgency, type TestDatabase, testAppSecret } from "@parley/testing";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startInvoiceScheduler } from "../../apps/api/src/invoice-scheduler";
import { clocksOn, contractTerms, insertItems, saveTerms, scopeOf } from "../billing/fixtures";
import { startSmtpServer } from "../support/notice-receivers";

/**
 * The monthly run sends last month's client report to the client's stakeholders, with the drafts: an in-app
 * notice and, over SMTP, one e-mail with the PDF attached — once, though two processes run it at the same moment
 * and it runs again later.
 */
let db: TestDatabase;
let pools: [Database, Database];
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let a: TestAgency;

beforeAll(async () => {
  db = await createTestDatabase();
  pools = [createDatabase({ url: db.appUrl, max: 3 }), createDatabase({ url: db.appUrl, max: 3 })];
  smtp = await startSmtpServer();
  a = await makeAgency(db.owner, { name: "Northwind Social" });
  await db.owner.update(schema.agencies).set({ timeZone: "Europe/London" }).where(eq(schema.agencies.id, a.agency.id));
  await saveTerms(db.app, await scopeOf(db.app, a, a.users.accountManager), a.client.id, contractTerms());
  // 20 P1 items in September, 15 answered within the hour.
  await insertItems(db.owner, { agency: a, clientId: a.client.id }, clocksOn("2026-09-10", 20, 15));
});
afterAll(async () => {
  await Promise.all(pools.map((pool) => closeDatabase(pool)));
  await smtp.close();
  await db.close();
});

const sentNotices = () =>
  db.owner
    .select()
    .from(schema.notifications)
    .where(and(eq(schema.notifications.agencyId, a.agency.id), eq(schema.notifications.kind, "report.monthly_sent")));

describe("the monthly run's client reports", () => {
  it("are not sent before 06:00 on the 1st in the agency's zone", async () => {
    const sent = await sendMonthlyClientReports(db.app, {
      now: new Date("2026-10-01T04:30:00Z"),
      renderPdf: renderMonthlyReportPdf,
    });
    expect(sent.filter((report) => report.agencyId === a.agency.id)).toEqual([]);
    expect(await sentNotices()).toEqual([]);
  });

  it("go to the client's stakeholders once, notice and e-mail with the PDF, from two schedulers at once", async () => {
    const now = () => new Date("2026-10-01T05:00:00Z");
    const notifiers = pools.map(() =>
      createNotifier({ smtpUrl: smtp.url, from: "Parley <reports@parley.test>", appSecret: testAppSecret }),
    );
    const schedulers = pools.map((pool, index) =>
      startInvoiceScheduler({
        db: pool,
        now,
        logger: silentLogger,
        notifier: notifiers[index],
        publicUrl: "https://parley.example",
      }),
    );
    // Each looked once at start; wait for those looks, then one more each (a later hour, a restart).
    await Promise.all(schedulers.map((scheduler) => scheduler.runNow()));
    await Promise.all(schedulers.map((scheduler) => scheduler.runNow()));
    await Promise.all(schedulers.map((scheduler) => scheduler.stop()));
    for (const notifier of notifiers) notifier.close();

    expect((await sentNotices()).map((row) => [row.recipientUserId, row.clientId, row.subjectType])).toEqual([
      [a.users.stakeholder.id, a.client.id, "client"],
    ]);
    const mails = smtp.messages.filter((message) => message.to.includes(a.users.stakeholder.email));
    expect(mails).toHaveLength(1);
    // Unfolded headers, quoted-printable text decoded.
    const raw = (mails[0]?.raw ?? "")
      .replace(/\r\n[ \t]+/g, " ")
      .replace(/=\r?\n/g, "")
      .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
    expect(raw).toMatch(/Subject: Northwind Social: Monthly report for Client A [^,]+, 2026-09/);
    expect(raw).toContain(`https://parley.example/v1/reports/monthly.pdf?clientId=${a.client.id}&month=2026-09`);
    expect(raw).toMatch(/Content-Type: application\/pdf; name=report-2026-09\.pdf/);
    // The attachment is the month's report: base64 of a PDF ("%PDF-" → "JVBERi0").
    expect(raw).toContain("JVBERi0");
    const audit = await db.owner
      .select()
      .from(schema.auditEvents)
      .where(and(eq(schema.auditEvents.agencyId, a.agency.id), eq(schema.auditEvents.action, "report.monthly_sent")));
    expect(audit.map((row) => [row.subjectId, (row.after as { itemsIn: number }).itemsIn])).toEqual([
      [`${a.client.id}:2026-09`, 20],
    ]);

    // Days later in the month: nothing left to send.
    const later = await sendMonthlyClientReports(db.app, {
      now: new Date("2026-10-09T06:00:00Z"),
      renderPdf: renderMonthlyReportPdf,
    });
    expect(later.filter((report) => report.agencyId === a.agency.id)).toEqual([]);
    expect(await sentNotices()).toHaveLength(1);
  });
});
