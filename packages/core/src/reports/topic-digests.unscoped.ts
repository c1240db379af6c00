/**
 * The weekly digest of each client's rising topics to its stakeholders: a notice in Parley and, when SMTP is set,
 * an e-mail — the feedback loop. Deliberately unscoped: it lists the agencies, then works inside each one's tenant
 * transaction. Two drivers call it, like the monthly invoice run: the Inngest cron (@parley/workflows,
 * `topic-digests.function`) and the embedded scheduler of apps/api; both take the same two decisions from here:
 *
 * 1. `findDueTopicDigests`: which clients' last week is due at `now` — from Monday 06:00 in the CLIENT's zone, for
 *    the local week (Monday to Sunday) that just ended, and for the rest of that week (a stopped server catches up
 *    at its next look; an older week is not sent late);
 * 2. `sendTopicDigest`: write the client's digest row for the week and notify, in one transaction.
 *
 * Once per client and week, even across restarts and several processes: the row's unique key (agency, client,
 * week) lets one transaction write it; a second waits for the first and then writes nothing, so it notifies no one.
 * The e-mail leaves after the commit (a crash between the two loses that e-mail, never doubles it).
 */
import { type Database, schema, withTenant } from "@parley/db";
import { and, asc, eq, inArray } from "drizzle-orm";
import { findPortalUsers } from "../agencies/client-people";
import { type Notifier, type OutboundNotice, sendNotices } from "../kernel/outbound-notices";
import { localDateOf } from "../sla/period-aggregates";
import { addDays } from "./topic-trends";
import { type ClientTopic, findRisingTopics, getClientTopics } from "./topics";

const { agencies, clients, notifications, topicDigests } = schema;

/** The hour of Monday, in the client's zone, from which last week's digest is due. */
export const TOPIC_DIGEST_HOUR = 6;

/** A client whose digest of the week starting `weekStart` is due. */
export interface DueTopicDigest {
  agencyId: string;
  clientId: string;
  /** The Monday of the local week, "YYYY-MM-DD". */
  weekStart: string;
}

export interface TopicDigestOutcome extends DueTopicDigest {
  status: "sent" | "already_sent";
  /** The rising topics the digest named (none: nothing rose, and no one was notified). */
  topics: ClientTopic[];
  recipients: number;
}

/** The Monday of the local week that ended last, once Monday's `TOPIC_DIGEST_HOUR` has come in `timeZone`; else null. */
export function dueDigestWeek(now: Date, timeZone: string): string | null {
  const today = localDateOf(now, timeZone);
  const weekday = (new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  const hour = Number(
    new Intl.DateTimeFormat("en-GB", { timeZone, hour: "numeric", hourCycle: "h23" })
      .formatToParts(now)
      .find((part) => part.type === "hour")?.value,
  );
  if (weekday === 0 && hour < TOPIC_DIGEST_HOUR) return null;
  return addDays(today, -weekday - 7);
}

/** The active clients whose last week's digest is due at `now` and not yet written, in a stable order. */
export async function findDueTopicDigests(db: Database, input: { now: Date }): Promise<DueTopicDigest[]> {
  const due: DueTopicDigest[] = [];
  const rows = await db.select({ id: agencies.id }).from(agencies).orderBy(asc(agencies.id));
  for (const agency of rows) {
    await withTenant(db, { agencyId: agency.id, clientIds: null }, async (tx) => {
      const active = await tx
        .select({ id: clients.id, timeZone: clients.timeZone })
        .from(clients)
        .where(and(eq(clients.agencyId, agency.id), eq(clients.status, "active")))
        .orderBy(asc(clients.id));
      const candidates = active.flatMap((client) => {
        const weekStart = dueDigestWeek(input.now, client.timeZone);
        return weekStart ? [{ agencyId: agency.id, clientId: client.id, weekStart }] : [];
      });
      if (candidates.length === 0) return;
      const written = await tx
        .select({ clientId: topicDigests.clientId, weekStart: topicDigests.weekStart })
        .from(topicDigests)
        .where(
          and(
            eq(topicDigests.agencyId, agency.id),
            inArray(topicDigests.weekStart, [...new Set(candidates.map((candidate) => candidate.weekStart))]),
          ),
        );
      const done = new Set(written.map((row) => `${row.clientId} ${row.weekStart}`));
      due.push(...candidates.filter((candidate) => !done.has(`${candidate.clientId} ${candidate.weekStart}`)));
    });
  }
  return due;
}

const trendOf = (topic: ClientTopic) =>
  topic.newThisWeek
    ? "new this week"
    : topic.trendPercent === null
      ? "none in the four weeks before"
      : `${topic.trendPercent >= 0 ? "+" : ""}${topic.trendPercent} % on the average week before`;

/** The e-mail's text: each rising topic with its volume, trend and an example. */
export function describeTopicDigest(input: { clientName: string; weekStart: string; topics: ClientTopic[] }): {
  subject: string;
  text: string;
} {
  const weekEnd = addDays(input.weekStart, 6);
  const lines = input.topics.map((topic, index) => {
    const example = topic.examples[0] ? `\n   e.g. "${topic.examples[0].excerpt}"` : "";
    const kind = topic.kind === "category" ? " (category)" : "";
    return `${index + 1}. ${topic.label}${kind}: ${topic.volume} item${topic.volume === 1 ? "" : "s"}, ${trendOf(topic)}${example}`;
  });
  return {
    subject: `${input.clientName}: rising topics, week of ${input.weekStart}`,
    text: [
      `What your customers raised more often in the week from ${input.weekStart} to ${weekEnd}:`,
      "",
      ...lines,
      "",
      "Open Reports in Parley to see every topic and the items behind it.",
    ].join("\n"),
  };
}

/**
 * The client's digest of the week starting `weekStart`: its rising topics (`findRisingTopics` over the week),
 * a notice to each stakeholder who sees the portal's reports and one e-mail to them all (when a notifier is given).
 * Nothing rose: the row is written (the week is done) and no one is notified. Written already: `already_sent`.
 */
export async function sendTopicDigest(
  db: Database,
  input: DueTopicDigest & { now: Date },
  deps: { notifier?: Notifier; onNoticeError?: (error: unknown, notice: OutboundNotice) => void } = {},
): Promise<TopicDigestOutcome> {
  const { agencyId, clientId, weekStart } = input;
  const decided = await withTenant(db, { agencyId, clientIds: null }, async (tx) => {
    const [digest] = await tx
      .insert(topicDigests)
      .values({ agencyId, clientId, weekStart })
      .onConflictDoNothing()
      .returning({ id: topicDigests.id });
    if (!digest) return null;
    const view = await getClientTopics(
      { agencyId, clientIds: null },
      tx,
      { clientId, from: weekStart, to: addDays(weekStart, 6) },
      { now: () => input.now },
    );
    const topics = findRisingTopics(view);
    const people = topics.length > 0 ? await findPortalUsers(tx, { agencyId, clientId }) : [];
    await tx
      .update(topicDigests)
      .set({ topics, recipients: people.length })
      .where(and(eq(topicDigests.agencyId, agencyId), eq(topicDigests.id, digest.id)));
    if (people.length === 0) return { topics, recipients: 0, email: null };
    const { subject, text } = describeTopicDigest({ clientName: view.clientName, weekStart, topics });
    await tx.insert(notifications).values(
      people.map((person) => ({
        agencyId,
        clientId,
        recipientUserId: person.userId,
        kind: "reports.topic_digest",
        subjectType: "topic_digest",
        subjectId: digest.id,
        title: subject,
        body: topics.map((topic) => `${topic.label} (${topic.volume}, ${trendOf(topic)})`).join("; "),
        createdAt: input.now,
      })),
    );
    const email: OutboundNotice = { kind: "email", to: people.map((person) => person.email), subject, text };
    return { topics, recipients: people.length, email };
  });
  if (!decided) return { agencyId, clientId, weekStart, status: "already_sent", topics: [], recipients: 0 };
  if (decided.email) await sendNotices(deps.notifier, [decided.email], deps.onNoticeError);
  return { agencyId, clientId, weekStart, status: "sent", topics: decided.topics, recipients: decided.recipients };
}

/**
 * One pass of the embedded driver: every due digest, one tenant transaction each. A client that fails is reported
 * to `onError` (when given) and the others still go; without `onError` the first failure is thrown.
 */
export async function runTopicDigests(
  db: Database,
  input: { now: Date; onError?: (error: unknown, digest: DueTopicDigest) => void },
  deps: { notifier?: Notifier; onNoticeError?: (error: unknown, notice: OutboundNotice) => void } = {},
): Promise<TopicDigestOutcome[]> {
  const outcomes: TopicDigestOutcome[] = [];
  for (const due of await findDueTopicDigests(db, { now: input.now })) {
    try {
      outcomes.push(await sendTopicDigest(db, { ...due, now: input.now }, deps));
    } catch (error) {
      if (!input.onError) throw error;
      input.onError(error, due);
    }
  }
  return outcomes;
}
