/**
 * The monthly client report: one client's month (its local dates) as the brand receives it on the 1st and
 * downloads it from the portal — the SLA summary against the contract in force on the month's first day (the
 * invoice's own rows and rule, `buildSlaSummary`), volumes by channel, acknowledgement vs useful-answer times
 * (the report's definitions, report-rows), the notable escalations, and the feedback loop: the gratitude index
 * (insight) and the month's top recurring topics with their trends (topics). Rendered to PDF and CSV by
 * @parley/documents.
 *
 * Notable escalations, written down once: the month's escalations (opened in it), highest item priority first,
 * then those the client has not answered, then the slowest answers; at most `maxNotableEscalations`.
 */

import { badInput, uuid } from "@parley/contracts";
import { type ContractTermsInput, contractForPeriod } from "@parley/contracts/billing";
import { type Executor, schema } from "@parley/db";
import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { getClient } from "../agencies/clients";
import { buildSlaSummary, type SlaSummaryRow } from "../billing/invoice-document";
import { type Clock, systemClock } from "../kernel/clock";
import { aggregateSlaOutcomes, billingPeriod, monthlyPeriod } from "../sla/period-aggregates";
import { getClientInsight } from "./insight";
import type { ReportReader } from "./report-rows";
import { getReport, type ReportFigures, type ReportView } from "./reports";
import { getClientTopics } from "./topics";

export const maxNotableEscalations = 10;

export const monthlyClientReportInput = z.object({
  clientId: uuid,
  month: billingPeriod.describe("the client's local month, YYYY-MM"),
});
export type MonthlyClientReportInput = z.infer<typeof monthlyClientReportInput>;

export interface NotableEscalation {
  escalationId: string;
  itemId: string;
  priority: (typeof schema.itemPriorities)[number];
  categoryKey: string | null;
  /** The customer's words, shortened. */
  excerpt: string;
  status: (typeof schema.escalationStatuses)[number];
  openedAt: Date;
  answeredAt: Date | null;
  /** From opening to the client's answer; null while unanswered. */
  answerSeconds: number | null;
}

/** A recurring topic of the month (recurring topics, issue 20 part 3), with its trend. */
export interface MonthlyTopic {
  label: string;
  kind: "category" | "discovered";
  /** Items in the month. */
  volume: number;
  /** Items in the four weeks before the month. */
  previousFourWeeks: number;
  /** The month's volume per week against the average week before it, in percent; null when there was none. */
  trendPercent: number | null;
  newThisWeek: boolean;
  rising: boolean;
  /** One example of the customers' words. */
  example: string | null;
}

/** The gratitude index of the month and the month before (issue 20 part 4). */
export interface MonthlyGratitude {
  /** Answered conversations where the customer then thanked ÷ answered conversations, 0–1; null without any. */
  index: number | null;
  thanked: number;
  answered: number;
  previousIndex: number | null;
}

export const maxMonthlyTopics = 8;

export interface MonthlyClientReport {
  agencyName: string;
  clientId: string;
  clientName: string;
  timeZone: string;
  /** "YYYY-MM". */
  month: string;
  /** The month's first and last local dates. */
  from: string;
  to: string;
  asOf: Date;
  /** Null when no contract was in force on the month's first day (no targets to judge against). */
  contract: { validFrom: string; currency: string } | null;
  /** One row per target of the contract, as the month's invoice shows it. */
  slaSummary: SlaSummaryRow[];
  totals: ReportFigures;
  byChannel: ReportView["byChannel"];
  byPriority: ReportView["byPriority"];
  /** Escalations opened in the month, one incident's rolled-up escalations once (as the portal and invoice count). */
  escalationsTotal: number;
  notableEscalations: NotableEscalation[];
  /**
   * The month's top topics, the protocol's categories and those found in the text (most items first, at most
   * `maxMonthlyTopics`), with their trend against the four weeks before the month (`getClientTopics`).
   */
  topics: MonthlyTopic[];
  /** The gratitude index against the month before (`getClientInsight`). */
  gratitude: MonthlyGratitude;
}

const lastDayOf = (month: string) => {
  const [year, monthNumber] = month.split("-").map(Number) as [number, number];
  return new Date(Date.UTC(year, monthNumber, 0)).toISOString().slice(0, 10);
};

/** One client's month, within the reader's scope: another client (or agency) is NOT_FOUND. */
export async function getMonthlyClientReport(
  reader: ReportReader,
  tx: Executor,
  input: MonthlyClientReportInput,
  deps: { now?: Clock } = {},
): Promise<MonthlyClientReport> {
  const parsed = monthlyClientReportInput.safeParse(input);
  if (!parsed.success) throw badInput(parsed.error.issues);
  const { clientId, month } = parsed.data;
  const client = await getClient(reader, tx, clientId);
  const asOf = (deps.now ?? systemClock)();
  const from = `${month}-01`;
  const to = lastDayOf(month);
  const period = monthlyPeriod(month, client.timeZone);
  const contract = contractForPeriod(
    await tx
      .select()
      .from(schema.contracts)
      .where(and(eq(schema.contracts.agencyId, reader.agencyId), eq(schema.contracts.clientId, client.id))),
    period.periodStart,
  );
  const terms = contract ? (contract.terms as ContractTermsInput) : null;
  const outcomes = terms
    ? await aggregateSlaOutcomes(reader, tx, {
        clients: [{ clientId: client.id, period, excludeClientSideTime: terms.excludeClientSideTime }],
        asOf,
      })
    : new Map();
  const report = await getReport(reader, tx, { from, to, clientIds: [client.id] }, { now: () => asOf });
  const insight = await getClientInsight(tx, {
    agencyId: reader.agencyId,
    clientId: client.id,
    from,
    to,
    now: () => asOf,
  });
  const topics = await getClientTopics(reader, tx, { clientId: client.id, from, to }, { now: () => asOf });
  const [agency] = await tx
    .select({ name: schema.agencies.name })
    .from(schema.agencies)
    .where(eq(schema.agencies.id, reader.agencyId));
  const escalations = await tx.execute<{
    escalation_id: string;
    item_id: string;
    priority: NotableEscalation["priority"];
    category_key: string | null;
    excerpt: string;
    status: NotableEscalation["status"];
    opened_at: string;
    answered_at: string | null;
    total: number;
  }>(sql`
    select e.id as escalation_id, i.id as item_id, i.priority, i.category_key, left(i.body, 160) as excerpt,
      e.status, e.created_at as opened_at, e.answered_at, count(*) over ()::int as total
    from escalations e
    join items i on i.id = e.item_id and i.agency_id = e.agency_id
    where e.agency_id = ${reader.agencyId} and e.client_id = ${client.id}
      and e.created_at >= ${period.from.toISOString()} and e.created_at < ${period.to.toISOString()}
      and e.rolled_up_into_id is null
    order by i.priority, e.answered_at is not null, e.answered_at - e.created_at desc, e.created_at
    limit ${maxNotableEscalations}`);
  return {
    agencyName: agency?.name ?? "",
    clientId: client.id,
    clientName: client.name,
    timeZone: client.timeZone,
    month,
    from,
    to,
    asOf,
    contract: contract ? { validFrom: contract.validFrom, currency: contract.currency } : null,
    slaSummary: terms ? buildSlaSummary(terms.slaTargets, outcomes.get(client.id) ?? []) : [],
    totals: report.totals,
    byChannel: report.byChannel,
    byPriority: report.byPriority,
    escalationsTotal: escalations[0]?.total ?? 0,
    notableEscalations: escalations.map((row) => {
      const openedAt = new Date(row.opened_at);
      const answeredAt = row.answered_at ? new Date(row.answered_at) : null;
      return {
        escalationId: row.escalation_id,
        itemId: row.item_id,
        priority: row.priority,
        categoryKey: row.category_key,
        excerpt: row.excerpt,
        status: row.status,
        openedAt,
        answeredAt,
        answerSeconds: answeredAt ? (answeredAt.getTime() - openedAt.getTime()) / 1000 : null,
      };
    }),
    topics: [...topics.categories, ...topics.topics]
      .sort((a, b) => b.volume - a.volume)
      .slice(0, maxMonthlyTopics)
      .map((topic) => ({
        label: topic.label,
        kind: topic.kind,
        volume: topic.volume,
        previousFourWeeks: topic.previousFourWeeks,
        trendPercent: topic.trendPercent,
        newThisWeek: topic.newThisWeek,
        rising: topic.rising,
        example: topic.examples[0]?.excerpt ?? null,
      })),
    gratitude: {
      index: insight.current.gratitudeIndex,
      thanked: insight.current.conversationsThanked,
      answered: insight.current.conversationsAnswered,
      previousIndex: insight.previousPeriod.gratitudeIndex,
    },
  };
}
