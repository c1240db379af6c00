/**
 * Demo staffing for Northwind: the moderators' weekly roster (through the roster use case, as a lead would enter
 * it) and nine weeks of worked history — each client's items arriving with its audience's weekly rhythm, each
 * claimed by a moderator who works the client (one on shift, else the client's on-call moderator), handled in its
 * category's time and answered, with its first-response clock stopped (some late) by the first confirmed public
 * reply: for most urgent items an acknowledgement, the useful answer following a quarter of an hour to two hours
 * later; otherwise the answer itself. The items and replies say what such a brand's customers and moderators say
 * (`demo-history-texts`: recurring complaints, one rising in the last week), and some customers thank the brand in the
 * same thread once answered (an item of its own, answered in turn). The history feeds the forecast, the handling
 * times, the review of past weeks, last month's invoices and the reports, topics and insight. Deterministic (seeded
 * generators) apart from `now`; written as bulk inserts, since thousands of items through ingest, claim and reply
 * would take minutes.
 */
import type { RosterWeekday } from "@parley/contracts";
import { type Executor, schema } from "@parley/db";
import { sql } from "drizzle-orm";
import { listContracts } from "../billing/contracts";
import type { Scope } from "../kernel/scope";
import { listCalendarVersions } from "../sla/business-hours";
import { calendarVersionAt, clockTermsAt } from "../sla/clock-terms";
import { monthlyPeriod, previousMonth } from "../sla/period-aggregates";
import { planItemClocks } from "../sla/plan-item-clocks";
import { getSlaPolicy } from "../sla/sla-policy";
import { localWallTime } from "../sla/zone-offsets";
import { HOUR_MS, hourStartOf, WEEK_MS } from "../staffing/forecast";
import { onShiftIntervals } from "../staffing/roster";
import { addRosterShift, loadRosterRules } from "../staffing/roster-store";
import { agencyTimeZoneOf } from "../staffing/staffing-scope";
import { type DemoMessage, demoClientTexts, demoThanks } from "./demo-history-texts";

const demoHistoryWeeks = 9;

/** The share of answered customers who write back a thanks: about the gratitude index the demo shows. */
const demoThanksShare = 0.25;

type Priority = "P1" | "P2" | "P3" | "P4";

interface DemoTrafficPlan {
  /** Expected items in a local hour (weekday 0 = Monday). */
  rate(weekday: number, hour: number): number;
  /** Category, its priority, its share of the items and its mean handling time in seconds. */
  categories: ReadonlyArray<[key: string, priority: Priority, share: number, handlingSeconds: number]>;
  /** First-response targets in minutes per priority (the contract's), and the share answered late. */
  targetMinutes: Record<Priority, number>;
  lateShare: Record<Priority, number>;
}

const weekend = (weekday: number) => weekday >= 5;

/** Per client: gamers in their evenings, shoppers in New York's daytime, a bank's customers in office hours. */
const demoTrafficPlans: Record<string, DemoTrafficPlan> = {
  "Hexfall Games": {
    rate(weekday, hour) {
      const base =
        hour < 7
          ? 0.6
          : hour < 12
            ? weekend(weekday)
              ? 5
              : 2.5
            : hour < 17
              ? weekend(weekday)
                ? 5
                : 4
              : hour < 23
                ? 6
                : 2;
      return weekday === 4 ? base * 1.3 : base;
    },
    categories: [
      ["launch_outage", "P2", 0.3, 180],
      ["account_hacked", "P1", 0.08, 420],
      ["refund", "P2", 0.12, 300],
      ["preorder_bonus", "P3", 0.15, 210],
      ["praise", "P4", 0.1, 90],
      ["general", "P3", 0.25, 240],
    ],
    targetMinutes: { P1: 15, P2: 60, P3: 240, P4: 480 },
    lateShare: { P1: 0.12, P2: 0.04, P3: 0.05, P4: 0.02 },
  },
  Brightmart: {
    rate(weekday, hour) {
      if (hour < 8 || hour >= 20) return 0.3;
      return weekend(weekday) ? 2 : 2.5;
    },
    categories: [
      ["order_status", "P2", 0.35, 200],
      ["delivery", "P2", 0.2, 260],
      ["returns", "P3", 0.2, 280],
      ["product_safety", "P1", 0.05, 420],
      ["price_complaint", "P3", 0.05, 240],
      ["general", "P3", 0.15, 220],
    ],
    targetMinutes: { P1: 30, P2: 120, P3: 480, P4: 480 },
    lateShare: { P1: 0.02, P2: 0.03, P3: 0.04, P4: 0.02 },
  },
  "Cobalt Bank": {
    rate(weekday, hour) {
      if (weekend(weekday)) return 0.6;
      return hour >= 8 && hour < 18 ? 2 : hour >= 18 && hour < 22 ? 0.8 : 0.2;
    },
    categories: [
      ["fraud", "P1", 0.1, 360],
      ["app_access", "P2", 0.3, 240],
      ["fees_and_rates", "P2", 0.2, 300],
      ["loans_mortgages", "P2", 0.1, 330],
      ["complaint_regulator", "P1", 0.05, 420],
      ["general", "P3", 0.25, 240],
    ],
    targetMinutes: { P1: 10, P2: 30, P3: 120, P4: 480 },
    lateShare: { P1: 0.07, P2: 0.05, P3: 0.03, P4: 0.02 },
  },
};

/** Northwind's roster in its own zone (Europe/London), by moderator e-mail. */
const demoRoster: Record<string, Array<[RosterWeekday[], string, string]>> = {
  "mod1@northwind.test": [[["mon", "tue", "wed", "thu", "fri"], "07:00", "15:00"]],
  "mod2@northwind.test": [[["mon", "tue", "wed", "thu", "fri"], "12:00", "20:00"]],
  "mod3@northwind.test": [[["mon", "tue", "wed", "thu", "fri"], "10:00", "18:00"]],
  "mod4@northwind.test": [[["mon", "tue", "wed", "thu", "fri"], "14:00", "22:00"]],
  "mod5@northwind.test": [[["sat", "sun"], "10:00", "18:00"]],
};

/** Mulberry32: the same demo every time. */
function createRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A Poisson draw (Knuth's method; the demo's rates are small). */
function poisson(mean: number, random: () => number): number {
  const limit = Math.exp(-mean);
  let product = random();
  let count = 0;
  while (product > limit) {
    count++;
    product *= random();
  }
  return count;
}

/**
 * Inserts rows (keyed by column name) into `table` in statements of 5,000, each one JSON document expanded by
 * `json_populate_recordset`: far fewer bound parameters than a multi-row VALUES, which matters for ten thousand rows.
 */
async function insertRows(tx: Executor, table: string, rows: ReadonlyArray<Record<string, unknown>>): Promise<void> {
  const first = rows[0];
  if (!first) return;
  const columns = sql.raw(
    Object.keys(first)
      .map((column) => `"${column}"`)
      .join(", "),
  );
  for (let i = 0; i < rows.length; i += 5000) {
    const chunk = JSON.stringify(rows.slice(i, i + 5000));
    await tx.execute(
      sql`insert into ${sql.identifier(table)} (${columns}) select ${columns} from json_populate_recordset(null::${sql.identifier(table)}, ${chunk}::json)`,
    );
  }
}

export interface DemoModerator {
  email: string;
  userId: string;
  membershipId: string;
  clientIds: readonly string[];
}

/** What the history left per client, for the billing seed (last month's escalations). */
export type DemoHistory = Map<string, Array<{ id: string; receivedAt: Date }>>;

/**
 * Seeds the roster, then the worked history of the last `demoHistoryWeeks` weeks (and at least all of last month)
 * up to an hour before `now`.
 */
export async function seedDemoStaffing(
  scope: Scope,
  tx: Executor,
  input: {
    clients: ReadonlyArray<{ id: string; name: string; timeZone: string }>;
    channels: ReadonlyArray<{ id: string; clientId: string }>;
    moderators: readonly DemoModerator[];
    now: Date;
  },
): Promise<DemoHistory> {
  const timeZone = await agencyTimeZoneOf(scope, tx);
  const to = hourStartOf(input.now.getTime()) - HOUR_MS;
  // At least `demoHistoryWeeks` weeks, and all of last month (its invoices count it).
  const lastMonth = monthlyPeriod(previousMonth(input.now, timeZone), timeZone).from.getTime();
  const from = Math.min(to - demoHistoryWeeks * WEEK_MS, hourStartOf(lastMonth) - 24 * HOUR_MS);
  const startsOn = localWallTime(from - 24 * HOUR_MS, timeZone).date;
  for (const moderator of input.moderators) {
    for (const [weekdays, startTime, endTime] of demoRoster[moderator.email] ?? []) {
      for (const weekday of weekdays) {
        await addRosterShift(scope, tx, {
          membershipId: moderator.membershipId,
          weekday,
          startTime,
          endTime,
          startsOn,
        });
      }
    }
  }
  const rules = await loadRosterRules(scope, tx, {
    membershipIds: input.moderators.map((moderator) => moderator.membershipId),
    from: new Date(from),
    to: new Date(to),
    fromDate: startsOn,
  });
  const onShift = onShiftIntervals({ ...rules, timeZone, from, to });
  const isOnShift = (membershipId: string, at: number) =>
    (onShift.get(membershipId) ?? []).some(([start, end]) => start <= at && at < end);

  const random = createRandom(20_260_101);
  // The replies', the texts' and the thanks' own draws, so adding each left the arrivals, clocks and moderators of
  // the history as they were.
  const replyRandom = createRandom(20_260_102);
  const textRandom = createRandom(20_260_103);
  const thanksRandom = createRandom(20_260_104);
  const history: DemoHistory = new Map();
  // Clocks start as ingest starts them: on the contract in force on arrival (or the agency's default policy), on
  // the business hours in force then.
  const policy = (await getSlaPolicy(scope, tx)).targets;
  const calendars = await listCalendarVersions(tx, { clientIds: input.clients.map((client) => client.id) });
  for (const client of input.clients) {
    const contracts = (await listContracts(scope, tx, { clientId: client.id })).map((contract) => ({
      id: contract.id,
      validFrom: contract.validFrom,
      validTo: contract.validTo,
      slaTargets: contract.terms.slaTargets,
    }));
    const plan = demoTrafficPlans[client.name];
    const channelIds = input.channels.filter((channel) => channel.clientId === client.id).map((channel) => channel.id);
    const workers = input.moderators.filter((moderator) => moderator.clientIds.includes(client.id));
    const texts = demoClientTexts[client.name];
    if (!plan || !texts || channelIds.length === 0 || workers.length === 0) continue;
    // Rows as the tables name their columns, for one `json_populate_recordset` insert per table.
    const items: Array<Record<string, unknown>> = [];
    const clocks: Array<Record<string, unknown>> = [];
    const audits: Array<Record<string, unknown>> = [];
    const replies: Array<Record<string, unknown>> = [];
    const arrived: Array<{ id: string; receivedAt: Date }> = [];
    const base = { agency_id: scope.agencyId, client_id: client.id };
    /** A category of the client's plan (its priority, share and mean handling time) by key. */
    const categoryOf = (key: string) => plan.categories.find(([categoryKey]) => categoryKey === key);
    const risingSince = to - WEEK_MS;
    /**
     * One customer item arrived at `receivedAt`, claimed by a moderator who works the client and answered (see the
     * module's comment), with `draw`'s draws. A customer's thanks continues the `thread` of the item it thanks for.
     */
    const handle = (
      arrival: {
        receivedAt: number;
        category: DemoTrafficPlan["categories"][number];
        message: DemoMessage;
        thread?: { externalId: string; itemId: string; author: number; channelId: string };
      },
      draw: () => number,
    ) => {
      const { receivedAt, category, message, thread } = arrival;
      const [categoryKey, priority, , handlingMean] = category;
      const id = schema.uuidv7(receivedAt);
      const [clock] = planItemClocks({
        agencyId: scope.agencyId,
        clientId: client.id,
        terms: clockTermsAt({ contracts, policy, timeZone: client.timeZone, at: new Date(receivedAt) }),
        calendarVersion: calendarVersionAt(calendars.get(client.id) ?? [], new Date(receivedAt)),
        item: { id, priority, receivedAt: new Date(receivedAt) },
      }).filter((row) => row.metric === "first_response");
      const target = clock?.target_minutes ?? plan.targetMinutes[priority];
      const dueAt = clock ? Date.parse(clock.due_at) : receivedAt + target * 60_000;
      const responseMs = Math.round(
        target * 60_000 * (draw() < plan.lateShare[priority] ? 1.1 + draw() : 0.1 + 0.85 * draw()),
      );
      const handlingMs = Math.round(handlingMean * 1000 * (0.5 + draw()));
      // Answers that would come after the history's end came by then (nothing of the history is still open).
      const respondedAt = Math.min(receivedAt + Math.max(responseMs, handlingMs + 5_000), to);
      const claimedAt = Math.max(receivedAt, respondedAt - handlingMs);
      const late = respondedAt > dueAt;
      // Out of hours, the client's on-call moderator (the first who works it) picks the item up.
      const onDuty = workers.filter((worker) => isOnShift(worker.membershipId, claimedAt));
      const pool = onDuty.length > 0 ? onDuty : workers.slice(0, 1);
      const worker = pool[Math.floor(draw() * pool.length)] ?? workers[0];
      if (!worker) return null;
      const index = items.length;
      const channelId = thread?.channelId ?? (channelIds[index % channelIds.length] as string);
      const author = thread?.author ?? index % 97;
      const externalId = `demo-history-${client.id.slice(0, 8)}-${index}`;
      const at = (ms: number) => new Date(ms).toISOString();
      arrived.push({ id, receivedAt: new Date(receivedAt) });
      items.push({
        ...base,
        id,
        channel_id: channelId,
        external_id: externalId,
        kind: thread ? "reply" : "comment",
        thread_external_id: thread?.externalId ?? null,
        parent_external_id: thread?.externalId ?? null,
        parent_item_id: thread?.itemId ?? null,
        author_external_id: `fan-${author}`,
        author_handle: `@fan${author}`,
        body: message.text,
        language: message.language,
        created_at: at(receivedAt),
        received_at: at(receivedAt),
        status: "responded",
        category_key: categoryKey,
        priority,
      });
      // A priority the contract sets no first-response target for gets no clock, as at ingest.
      if (clock) {
        clocks.push({
          ...clock,
          stopped_at: at(respondedAt),
          breached_at: late ? at(dueAt) : null,
          met: !late,
        });
      }
      // Urgent items are mostly acknowledged first (the triage way), some of the rest too; a thanks never.
      const acknowledgeFirst = !thread && replyRandom() < ({ P1: 0.8, P2: 0.3, P3: 0.05, P4: 0 } as const)[priority];
      const answeredAt = acknowledgeFirst
        ? Math.min(respondedAt + Math.round((15 + replyRandom() * 105) * 60_000), to)
        : respondedAt;
      const pick = (options: readonly string[]) => options[Math.floor(textRandom() * options.length)] ?? "";
      const reply = (kind: "acknowledgement" | "reply", sentAt: number) => {
        const replyId = schema.uuidv7(sentAt);
        const body =
          kind === "acknowledgement"
            ? pick(texts.acknowledgements)
            : pick(thread ? texts.welcomes : (texts.answers[categoryKey] ?? texts.welcomes));
        replies.push({
          ...base,
          id: replyId,
          item_id: id,
          channel_id: channelId,
          kind,
          body,
          status: "sent",
          author_user_id: worker.userId,
          external_id: `demo-history-reply-${replyId}`,
          sent_at: at(sentAt),
          created_at: at(sentAt),
          updated_at: at(sentAt),
        });
        audits.push({
          ...base,
          id: schema.uuidv7(sentAt),
          actor_user_id: worker.userId,
          action: "reply.queued",
          subject_type: "reply",
          subject_id: replyId,
          after: { itemId: id, itemStatus: "responded", status: "approved" },
          created_at: at(sentAt),
        });
      };
      audits.push({
        ...base,
        id: schema.uuidv7(claimedAt),
        actor_user_id: worker.userId,
        action: "item.claimed",
        subject_type: "item",
        subject_id: id,
        after: { claimedBy: worker.userId },
        created_at: at(claimedAt),
      });
      reply(acknowledgeFirst ? "acknowledgement" : "reply", respondedAt);
      if (acknowledgeFirst) reply("reply", answeredAt);
      return { id, externalId, author, channelId, answeredAt };
    };
    const thanksCategory = categoryOf(texts.thanksCategoryKey);
    for (let hour = from; hour < to; hour += HOUR_MS) {
      const local = localWallTime(hour, client.timeZone);
      const arrivals = poisson(plan.rate(local.weekday, Math.floor(local.minuteOfDay / 60)), random);
      for (let n = 0; n < arrivals; n++) {
        const receivedAt = hour + Math.floor(random() * HOUR_MS);
        let roll = random();
        const category =
          plan.categories.find(([, , share]) => {
            roll -= share;
            return roll < 0;
          }) ?? plan.categories[plan.categories.length - 1];
        if (!category) continue;
        const rising = texts.rising.categoryKey === category[0] && receivedAt >= risingSince && textRandom() < 0.6;
        const pool = rising ? texts.rising.messages : (texts.messages[category[0]] ?? []);
        const message = pool[Math.floor(textRandom() * pool.length)];
        if (!message) continue;
        const answered = handle({ receivedAt, category, message }, random);
        // Some customers thank the brand once answered, in the same thread and language, within two hours.
        if (!answered || !thanksCategory || thanksRandom() >= demoThanksShare) continue;
        const thankedAt = answered.answeredAt + Math.round((5 + thanksRandom() * 115) * 60_000);
        const thanks = demoThanks[message.language];
        const text = thanks[Math.floor(thanksRandom() * thanks.length)];
        if (thankedAt >= to || !text) continue;
        handle(
          {
            receivedAt: thankedAt,
            category: thanksCategory,
            message: { text, language: message.language },
            thread: {
              externalId: answered.externalId,
              itemId: answered.id,
              author: answered.author,
              channelId: answered.channelId,
            },
          },
          thanksRandom,
        );
      }
    }
    await insertRows(tx, "items", items);
    await insertRows(tx, "sla_clocks", clocks);
    await insertRows(tx, "audit_events", audits);
    await insertRows(tx, "replies", replies);
    history.set(client.id, arrived);
  }
  // Fresh statistics for the tables the bulk load grew: the first plan must not be planned on an empty table's.
  await tx.execute(sql`analyze items, sla_clocks, audit_events, replies`);
  return history;
}
