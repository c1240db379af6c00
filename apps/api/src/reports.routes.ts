import { isAllowed, uuid } from "@parley/contracts";
import { localDate } from "@parley/contracts/billing";
import { contractInForceView } from "@parley/core/billing";
import { assertAllowed } from "@parley/core/kernel";
import {
  clientTopicsInput,
  getClientTopics,
  getInsight,
  getMonthlyClientReport,
  getReport,
  type MonthlyClientReport,
  monthlyClientReportInput,
  type ReportFilters,
  type ReportReader,
  reportItemFigures,
  streamReportItemsCsv,
} from "@parley/core/reports";
import { schema, type Transaction, withTenant } from "@parley/db";
import {
  renderMonthlyReportCsv,
  renderMonthlyReportPdf,
  renderReportSummaryCsv,
  reportItemsCsvColumns,
  reportItemsCsvHead,
} from "@parley/documents";
import type { Services } from "@parley/trpc";
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { stream } from "hono/streaming";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import { errorResponse, jsonResponse, parsed, readErrors, readSecurity } from "./openapi";
import { createReaderAuthentication, type ReaderVariables } from "./v1.routes";

export interface ReportRoutesOptions {
  services: Pick<Services, "db">;
  loadSession: MiddlewareHandler;
  /** Where people open an item (the export's link column): the app's origin for this request. */
  originOf: (c: Context) => string;
}

/** A list query parameter: repeated (`?priority=P1&priority=P2`) or comma-separated (`?priority=P1,P2`). */
const listOf = <T extends z.ZodType>(element: T) =>
  z.preprocess(
    (value) => (value === undefined ? undefined : String(value).split(",").filter(Boolean)),
    z.array(element).min(1).max(100).optional(),
  );

/** A report's filters as query parameters, as the Reports screen sets them. */
const reportQuery = z.object({
  from: localDate.describe("the first local date of the period, in each client's time zone"),
  to: localDate.describe("the last local date of the period, included"),
  clientId: uuid.optional(),
  channelId: listOf(uuid).describe("one or more channels, comma-separated"),
  priority: listOf(z.enum(schema.itemPriorities)).describe("one or more priorities, comma-separated"),
  moderatorId: uuid.optional().describe("only items the moderator replied to (a confirmed reply)"),
});
const reportItemsQuery = reportQuery.extend({
  figure: z.enum(reportItemFigures).default("items_in").describe("only the items a figure counted"),
  date: localDate.optional().describe("only the items of one local date (a chart's day; `backlog`: its point)"),
  hour: z.coerce.number().int().min(0).max(23).optional().describe("only the items of one local hour of the day"),
  inHours: z
    .enum(["true", "false"])
    .transform((value) => value === "true")
    .optional()
    .describe("only the items received within (true) or outside (false) the client's business hours"),
  handledBy: uuid.optional().describe("only the items this moderator took a handling action on"),
});

const filtersOf = (query: z.infer<typeof reportQuery>): ReportFilters => ({
  from: query.from,
  to: query.to,
  clientIds: query.clientId ? [query.clientId] : undefined,
  channelIds: query.channelId,
  priorities: query.priority,
  moderatorId: query.moderatorId,
});

const duration = z.object({
  count: z.int(),
  medianSeconds: z.number().nullable(),
  p90Seconds: z.number().nullable(),
});
const figures = {
  itemsIn: z.int(),
  acknowledged: duration.describe("first confirmed public reply of any kind, from when the customer wrote"),
  usefulAnswer: duration.describe("first confirmed reply that is not an acknowledgement"),
  repliesSent: z.int(),
  firstResponse: duration.extend({ met: z.int(), breached: z.int() }),
  resolution: duration.extend({ met: z.int(), breached: z.int() }),
  hidden: z.int(),
  deleted: z.int(),
  noAction: z.int(),
  escalated: z.int(),
  clientAnswer: duration.describe("from an item's first escalation to the client's first answer"),
  handled: z.int().describe("items a moderator took a handling action on"),
  handlingTime: duration.describe("claim → the same moderator's handling action (measured claims, an hour at most)"),
};
const Report = z
  .object({
    from: z.string(),
    to: z.string(),
    asOf: z.iso.datetime(),
    totals: z.object(figures),
    byDay: z.array(z.object({ date: z.string(), ...figures })),
    byHour: z.array(z.object({ hour: z.int(), ...figures })),
    byChannel: z.array(
      z.object({
        channelId: z.uuid(),
        channelName: z.string(),
        clientName: z.string(),
        platform: z.string(),
        ...figures,
      }),
    ),
    byPriority: z.array(z.object({ priority: z.enum(schema.itemPriorities), ...figures })),
    byBusinessHours: z.array(z.object({ inHours: z.boolean(), ...figures })),
    byModerator: z.array(
      z.object({
        moderatorId: z.uuid(),
        moderatorName: z.string(),
        handled: z.int(),
        handlingTime: duration,
        activeHours: z.int().describe("clock hours in which the moderator claimed or handled one of these items"),
        handledPerHour: z.number().nullable(),
      }),
    ),
    moderatorWork: z.object({ handled: z.int(), activeHours: z.int(), handledPerHour: z.number().nullable() }),
    backlog: z
      .array(z.object({ date: z.string(), hour: z.int().nullable(), open: z.int() }))
      .describe("items open at the end of each local day (or hour, for a one-day period) that has passed"),
    contractTargets: contractInForceView.shape.slaTargets
      .nullable()
      .describe("the SLA targets of the contract in force on the period's first day, for a one-client report"),
  })
  .meta({ ref: "Report" });

const insightFigures = z.object({
  itemsIn: z.int(),
  purchaseIntent: z.int().describe("items asking where or how to buy, the price, availability"),
  productFeedback: z.int().describe("items reporting a defect or suggesting a change to the product"),
  satisfied: z.int().describe("items pleased with the service"),
  dissatisfied: z.int().describe("items unhappy with the service (waiting, delivery, no answer, sarcasm)"),
  conversationsAnswered: z.int().describe("one customer's messages in one thread with a confirmed brand reply"),
  conversationsThanked: z.int().describe("answered conversations where the customer thanked within 7 days after"),
  gratitudeIndex: z.number().nullable().describe("thanked ÷ answered (0–1); null when none was answered"),
});
const Insight = z
  .object({
    from: z.string(),
    to: z.string(),
    previous: z.object({ from: z.string(), to: z.string() }).describe("the previous month, or as many days before"),
    asOf: z.iso.datetime(),
    current: insightFigures,
    previousPeriod: insightFigures,
  })
  .meta({ ref: "Insight" });
const Topic = z.object({
  key: z.string().describe("`category:<key>` or `terms:<stems>`"),
  kind: z.enum(["category", "discovered"]),
  label: z.string(),
  terms: z.array(z.string()),
  volume: z.int().describe("items in the period"),
  previousFourWeeks: z.int().describe("items in the four weeks before the period"),
  trendPercent: z
    .number()
    .nullable()
    .describe("the period's items per week against the average week before, in percent; null: none before"),
  newThisWeek: z.boolean().describe("items in the period's last seven days and none in the weeks before"),
  rising: z.boolean(),
  examples: z.array(z.object({ itemId: z.uuid(), excerpt: z.string(), receivedAt: z.iso.datetime() })),
});
const ClientTopics = z
  .object({
    clientId: z.uuid(),
    clientName: z.string(),
    from: z.string(),
    to: z.string(),
    asOf: z.iso.datetime(),
    itemsInPeriod: z.int(),
    categories: z.array(Topic),
    topics: z.array(Topic),
  })
  .meta({ ref: "ClientTopics" });

type RouteResponse = NonNullable<Parameters<typeof describeRoute>[0]["responses"]>[string];

/**
 * `/v1/reports/summary`, `/v1/reports/items.csv`, `/v1/reports/insight` and `/v1/reports/topics`: an API key with
 * `reports:read` (every client of its agency, or
 * its one client), or a session of someone who reads reports (staff who see accounts; a stakeholder their client).
 */
export function createReportRoutes(options: ReportRoutesOptions) {
  const { db } = options.services;
  const app = new Hono<{ Variables: ReaderVariables }>();
  const authenticateReader = createReaderAuthentication({
    db,
    requiredScope: "reports:read",
    loadSession: options.loadSession,
  });
  const reportReadersOnly: MiddlewareHandler<{ Variables: ReaderVariables }> = async (c, next) => {
    const { scope } = c.get("principal");
    if (scope) assertAllowed(scope, "readReports");
    await next();
  };
  /**
   * A report read's documentation: what every one of them answers besides its own 200 (a query parameter named in a
   * 400, an unseen client's 404, the reader's 401/403) and the `reports:read` scope.
   */
  const describeRead = ({
    ok,
    ...doc
  }: {
    operationId: string;
    summary: string;
    description?: string;
    ok: RouteResponse;
  }) =>
    describeRoute({
      ...doc,
      security: readSecurity("reports:read"),
      responses: {
        "200": ok,
        "400": errorResponse("A query parameter is invalid (named in `details.fields`)"),
        ...readErrors,
        "404": errorResponse("`clientId` names no client you can see"),
      },
    });
  /**
   * Whether the reader can open an item in the console, where the export's links lead: a session whose role
   * moderates (the web app links items for the same roles), or a key of the whole agency (staff tooling). A
   * stakeholder, an account manager or a client's key gets no link rather than one that leads nowhere.
   */
  const opensConsole = (c: Context<{ Variables: ReaderVariables }>): boolean => {
    const { scope, clientIds } = c.get("principal");
    return scope ? isAllowed(scope.role, "moderate") : clientIds === null;
  };
  const readerOf = (c: Context<{ Variables: ReaderVariables }>): ReportReader => {
    const { agencyId, clientIds } = c.get("principal");
    return { agencyId, clientIds };
  };
  const read = <T>(reader: ReportReader, work: Parameters<typeof withTenant<T>>[2]) =>
    withTenant(db, { agencyId: reader.agencyId, clientIds: reader.clientIds, userId: null }, work);
  /**
   * `open`'s rows read in a tenant transaction that stays open while they are (row-level security reads the tenant
   * from it). Resolves once `open` has made its checks (a refusal rejects, before any answer is sent); the
   * transaction ends when the rows are read to the end, the reader stops early (`return`) or a read fails (then
   * rolled back).
   */
  const readStreamed = <T>(
    reader: ReportReader,
    open: (tx: Transaction) => Promise<AsyncIterable<T>>,
  ): Promise<AsyncIterableIterator<T>> =>
    new Promise((resolve, reject) => {
      read(reader, async (tx) => {
        const source = (await open(tx))[Symbol.asyncIterator]();
        let settle: (failure?: unknown) => void = () => {};
        const ended = new Promise<unknown>((done) => {
          settle = done;
        });
        const rows: AsyncIterableIterator<T> = {
          [Symbol.asyncIterator]: () => rows,
          async next() {
            try {
              const step = await source.next();
              if (step.done) settle();
              return step;
            } catch (error) {
              settle(error);
              throw error;
            }
          },
          async return() {
            await source.return?.();
            settle();
            return { done: true, value: undefined };
          },
        };
        resolve(rows);
        const failure = await ended;
        if (failure !== undefined) throw failure;
      }).catch(reject);
    });

  app.get(
    "/v1/reports/summary",
    describeRead({
      operationId: "getReport",
      summary: "A period's figures: in total and by day, hour of day, channel and priority",
      description:
        "Items are counted on their client's local dates. Definitions: acknowledgement = the first public reply of " +
        "any kind the platform confirmed; useful answer = the first confirmed reply that is not an acknowledgement; " +
        "first response and resolution = the items' SLA clocks (the contract's targets).",
      ok: jsonResponse("The report", Report),
    }),
    authenticateReader,
    reportReadersOnly,
    parsed("query", reportQuery),
    async (c) => {
      const reader = readerOf(c);
      const filters = filtersOf(c.req.valid("query"));
      return c.json(await read(reader, (tx) => getReport(reader, tx, filters)));
    },
  );

  app.get(
    "/v1/reports/topics",
    describeRead({
      operationId: "getClientTopics",
      summary: "A client's recurring topics over a period: the protocol's categories and topics found in the text",
      description:
        "Each topic with its volume, its trend against the average week of the four weeks before the period, " +
        "whether it is new this week, and example items. Topics are found in Parley (no text leaves it); the " +
        "brand's own posts and deleted spam are left out. Periods up to 92 days.",
      ok: jsonResponse("The client's topics", ClientTopics),
    }),
    authenticateReader,
    reportReadersOnly,
    parsed("query", clientTopicsInput),
    async (c) => {
      const reader = readerOf(c);
      const input = c.req.valid("query");
      return c.json(await read(reader, (tx) => getClientTopics(reader, tx, input)));
    },
  );

  app.get(
    "/v1/reports/summary.csv",
    describeRead({
      operationId: "exportReport",
      summary:
        "A period's figures as CSV: the total, each day, hour, channel, priority, side of business hours, moderator and backlog point",
      ok: { description: "One row per group of figures", content: { "text/csv": { schema: { type: "string" } } } },
    }),
    authenticateReader,
    reportReadersOnly,
    parsed("query", reportQuery),
    async (c) => {
      const reader = readerOf(c);
      const query = c.req.valid("query");
      const report = await read(reader, (tx) => getReport(reader, tx, filtersOf(query)));
      c.header("content-type", "text/csv; charset=utf-8");
      c.header("content-disposition", `attachment; filename="parley-report-summary-${query.from}-${query.to}.csv"`);
      return c.body(renderReportSummaryCsv(report));
    },
  );

  app.get(
    "/v1/reports/items.csv",
    describeRead({
      operationId: "exportReportItems",
      summary: "One row per item of a report (or of one of its figures), as CSV, streamed",
      ok: { description: "One row per item", content: { "text/csv": { schema: { type: "string" } } } },
    }),
    authenticateReader,
    reportReadersOnly,
    parsed("query", reportItemsQuery),
    async (c) => {
      const reader = readerOf(c);
      const query = c.req.valid("query");
      const input = {
        ...filtersOf(query),
        figure: query.figure,
        date: query.date,
        hour: query.hour,
        inHours: query.inHours,
        handledBy: query.handledBy,
      };
      const columns = reportItemsCsvColumns(opensConsole(c) ? `${options.originOf(c)}/console/items/` : null);
      // The checks are made before the answer starts, so a refusal is still a 4xx.
      const chunks = await readStreamed(reader, (tx) => streamReportItemsCsv(reader, tx, input, columns));
      c.header("content-type", "text/csv; charset=utf-8");
      c.header("content-disposition", `attachment; filename="parley-report-${query.from}-${query.to}.csv"`);
      return stream(c, async (out) => {
        await out.write(reportItemsCsvHead());
        for await (const chunk of chunks) {
          await out.write(chunk);
          // The client went away: leaving the loop closes the cursor, and the transaction ends.
          if (out.aborted) break;
        }
      });
    },
  );

  app.get(
    "/v1/reports/insight",
    describeRead({
      operationId: "getInsight",
      summary: "Purchase intent, product feedback, satisfaction and the gratitude index, against the previous period",
      description:
        "Each item of the period is labelled by local phrase rules (EN, FR, DE, ES). Gratitude index = the share of " +
        "answered conversations (one customer's messages in one thread, with a reply the platform confirmed) where " +
        "the customer wrote a thanks in the same thread within 7 days after the reply; sarcastic or refused thanks " +
        "do not count.",
      ok: jsonResponse("The insight figures", Insight),
    }),
    authenticateReader,
    reportReadersOnly,
    parsed("query", reportQuery),
    async (c) => {
      const reader = readerOf(c);
      const filters = filtersOf(c.req.valid("query"));
      return c.json(await read(reader, (tx) => getInsight(reader, tx, filters)));
    },
  );
  const monthlyFiles = {
    pdf: { type: "application/pdf", render: async (report: MonthlyClientReport) => renderMonthlyReportPdf(report) },
    csv: {
      type: "text/csv; charset=utf-8",
      render: async (report: MonthlyClientReport) => renderMonthlyReportCsv(report),
    },
  } as const;
  for (const [format, file] of Object.entries(monthlyFiles)) {
    app.get(
      `/v1/reports/monthly.${format}`,
      describeRead({
        operationId: format === "pdf" ? "getMonthlyClientReportPdf" : "getMonthlyClientReportCsv",
        summary: `A client's monthly report as ${format.toUpperCase()}: SLA against the contract, volumes by channel, acknowledgement vs useful-answer times, notable escalations`,
        description:
          "The month is the client's local month; figures stand as of the request (a month not yet over is partial). " +
          "The same report is sent to the client's stakeholders on the 1st.",
        ok: {
          description: "The report",
          content: { [file.type.split(";")[0] as string]: { schema: { type: "string" } } },
        },
      }),
      authenticateReader,
      reportReadersOnly,
      parsed("query", monthlyClientReportInput),
      async (c) => {
        const reader = readerOf(c);
        const query = c.req.valid("query");
        const report = await read(reader, (tx) => getMonthlyClientReport(reader, tx, query));
        const body = await file.render(report);
        const name = `${report.clientName.replace(/[^A-Za-z0-9]+/g, "-")}-${report.month}.${format}`;
        return c.body(typeof body === "string" ? body : new Uint8Array(body), 200, {
          "content-type": file.type,
          "content-disposition": `attachment; filename="report-${name}"`,
        });
      },
    );
  }

  return app;
}
