/**
 * The monthly client reports of the monthly run (deliberately unscoped: it lists the agencies, then works inside
 * each one's tenant transaction). The run that drafts last month's invoices calls it at each look — the embedded
 * scheduler of apps/api and the Inngest cron alike — so reports go out with the drafts, on the same decision:
 *
 * - due from 06:00 on the 1st in the AGENCY's zone (`isMonthlyRunHour`), for the month before in that zone, once
 *   the CLIENT's own month is over; the rest of the month stays due, so a server that was down catches up;
 * - for every active client with at least one stakeholder: an in-app notice to each stakeholder (it opens the
 *   portal, where the month's PDF and CSV are) and, where SMTP is set, one e-mail to them with the PDF attached;
 * - once per client and month: a `report.monthly_sent` audit event (subject `monthly_report`, `<client>:<month>`)
 *   marks it sent, written in the same transaction as the notices, and runs of one agency and month take turns
 *   (a transaction-level advisory lock), so two processes, retries and restarts never send twice. The e-mail
 *   leaves after that transaction commits: a crash between the two loses the e-mail, never doubles it (the in-app
 *   notice stands).
 */
import { type Database, schema, withTenant } from "@parley/db";
import { and, asc, eq, sql } from "drizzle-orm";
import { isMonthlyRunHour } from "../billing/run-monthly-invoices.unscoped";
import { type Notifier, type OutboundNotice, sendNotices } from "../kernel/outbound-notices";
import { monthlyPeriod, previousMonth } from "../sla/period-aggregates";
import { getMonthlyClientReport, type MonthlyClientReport } from "./monthly-client-report";

const { agencies, clientAssignments, clients, memberships, notifications, users, auditEvents } = schema;

export interface MonthlyReportSent {
  agencyId: string;
  clientId: string;
  month: string;
  /** Stakeholders notified in the app. */
  recipients: number;
}

export interface SendMonthlyClientReportsInput {
  now: Date;
  /** The PDF of a report (@parley/documents `renderMonthlyReportPdf`, injected: core renders no documents). */
  renderPdf: (report: MonthlyClientReport) => Promise<Uint8Array>;
  /** Where people reach Parley (`PUBLIC_URL`), for the download link in the e-mail; unset: the e-mail names the portal. */
  publicUrl?: string;
  /** Sends the e-mails (SMTP) once each agency's transaction has committed; unset: in-app notices only. */
  notifier?: Notifier;
  /** An agency that fails is reported here and the others still run; without it the first failure is thrown. */
  onError?: (error: unknown, agencyId: string) => void;
  /** An e-mail that could not be sent (the in-app notice stands). */
  onEmailError?: (error: unknown, notice: OutboundNotice) => void;
}

/** Sends the due reports of every agency (notices, then e-mails once committed); returns what was sent. */
export async function sendMonthlyClientReports(
  db: Database,
  input: SendMonthlyClientReportsInput,
): Promise<MonthlyReportSent[]> {
  const rows = await db
    .select({ id: agencies.id, timeZone: agencies.timeZone })
    .from(agencies)
    .orderBy(asc(agencies.id));
  const sent: MonthlyReportSent[] = [];
  for (const agency of rows) {
    if (!isMonthlyRunHour(input.now, agency.timeZone)) continue;
    const month = previousMonth(input.now, agency.timeZone);
    try {
      const outcome = await sendAgencyReports(db, { ...input, agencyId: agency.id, month });
      sent.push(...outcome.sent);
      await sendNotices(input.notifier, outcome.emails, input.onEmailError);
    } catch (error) {
      if (!input.onError) throw error;
      input.onError(error, agency.id);
    }
  }
  return sent;
}

const subjectOf = (clientId: string, month: string) => `${clientId}:${month}`;

async function sendAgencyReports(
  db: Database,
  input: SendMonthlyClientReportsInput & { agencyId: string; month: string },
): Promise<{ sent: MonthlyReportSent[]; emails: OutboundNotice[] }> {
  const { agencyId, month, now } = input;
  return withTenant(db, { agencyId, clientIds: null }, async (tx) => {
    // Waiting clients: active, with a stakeholder, not sent this month. A month done costs this one query.
    const waiting = await tx
      .select({ id: clients.id, name: clients.name, timeZone: clients.timeZone })
      .from(clients)
      .where(
        and(
          eq(clients.agencyId, agencyId),
          eq(clients.status, "active"),
          sql`exists (select 1 from ${clientAssignments} ca join ${memberships} m on m.id = ca.membership_id
            where ca.client_id = ${clients.id} and m.agency_id = ${agencyId} and m.role = 'client_stakeholder')`,
          sql`not exists (select 1 from ${auditEvents} where ${auditEvents.agencyId} = ${agencyId}
            and ${auditEvents.subjectType} = 'monthly_report'
            and ${auditEvents.subjectId} = ${clients.id}::text || ':' || ${month})`,
        ),
      )
      .orderBy(asc(clients.name));
    const due = waiting.filter((client) => monthlyPeriod(month, client.timeZone).to <= now);
    if (due.length === 0) return { sent: [], emails: [] };
    await tx.execute(
      sql`select pg_advisory_xact_lock(hashtextextended(${`parley:monthly-reports:${agencyId}:${month}`}, 0))`,
    );
    const sent: MonthlyReportSent[] = [];
    const emails: OutboundNotice[] = [];
    for (const client of due) {
      // Checked again under the lock: another process may have sent it while this one waited.
      const [already] = await tx
        .select({ id: auditEvents.id })
        .from(auditEvents)
        .where(
          and(
            eq(auditEvents.agencyId, agencyId),
            eq(auditEvents.subjectType, "monthly_report"),
            eq(auditEvents.subjectId, subjectOf(client.id, month)),
          ),
        );
      if (already) continue;
      const stakeholders = await tx
        .select({ userId: users.id, email: users.email })
        .from(memberships)
        .innerJoin(clientAssignments, eq(clientAssignments.membershipId, memberships.id))
        .innerJoin(users, eq(users.id, memberships.userId))
        .where(
          and(
            eq(memberships.agencyId, agencyId),
            eq(memberships.role, "client_stakeholder"),
            eq(clientAssignments.clientId, client.id),
          ),
        )
        .orderBy(asc(users.email));
      const report = await getMonthlyClientReport(
        { agencyId, clientIds: null },
        tx,
        { clientId: client.id, month },
        { now: () => now },
      );
      const title = `Monthly report for ${client.name}, ${month}`;
      const body = `${client.name}'s report for ${month} is ready: SLA against the contract, volumes by channel, answer times and notable escalations. Download it (PDF or CSV) from the portal.`;
      await tx.insert(notifications).values(
        stakeholders.map((stakeholder) => ({
          agencyId,
          clientId: client.id,
          recipientUserId: stakeholder.userId,
          kind: "report.monthly_sent",
          subjectType: "client",
          subjectId: client.id,
          title,
          body,
        })),
      );
      await tx.insert(auditEvents).values({
        agencyId,
        clientId: client.id,
        action: "report.monthly_sent",
        subjectType: "monthly_report",
        subjectId: subjectOf(client.id, month),
        after: { month, recipients: stakeholders.length, itemsIn: report.totals.itemsIn },
      });
      const query = `clientId=${client.id}&month=${month}`;
      const where = input.publicUrl
        ? `Download it again at ${input.publicUrl}/v1/reports/monthly.pdf?${query} (CSV: monthly.csv?${query}), or open ${input.publicUrl}/portal.`
        : "Download it again (PDF or CSV) from the portal.";
      emails.push({
        kind: "email",
        to: stakeholders.map((stakeholder) => stakeholder.email),
        subject: `${report.agencyName}: ${title}`,
        text: `Hello,\n\nattached is ${client.name}'s monthly report for ${month} from ${report.agencyName}: SLA compliance against the contract, volumes by channel, acknowledgement and useful-answer times, and notable escalations.\n\n${where}\n`,
        attachments: [
          {
            filename: `report-${month}.pdf`,
            contentType: "application/pdf",
            content: await input.renderPdf(report),
          },
        ],
      });
      sent.push({ agencyId, clientId: client.id, month, recipients: stakeholders.length });
    }
    return { sent, emails };
  });
}
