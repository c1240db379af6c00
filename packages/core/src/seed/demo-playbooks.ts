import type { Platform } from "@parley/contracts";
import { type Executor, schema } from "@parley/db";
import { and, eq } from "drizzle-orm";
import { openEscalation } from "../escalations/escalate-item";
import { type PlaybookDocument, savePlaybook } from "../escalations/playbooks";
import type { Scope } from "../kernel/scope";
import { ingestItems } from "../moderation/ingest-items";
import { recordSandboxPosts } from "../sandbox/sandbox-platform";
import type { BusinessCalendar } from "../sla/business-calendar";
import { recordCalendarVersion } from "../sla/business-hours";
import { wallTimeInstant } from "../sla/zone-offsets";

const { items } = schema;
/** The day the demo's business hours and contracts apply from. */
export const demoHoursFrom = "2025-01-01";

const weekdays = (spans: [string, string][]) => ({ mon: spans, tue: spans, wed: spans, thu: spans, fri: spans });

interface DemoPlaybookPlan {
  calendar: BusinessCalendar;
  name: string;
  document: PlaybookDocument;
  /** An open escalation so the portal inbox is not empty. */
  escalated: { externalId: string; handle: string; body: string };
}

const level = (
  name: string,
  emails: string[],
  respondWithinMinutes: number,
  calendar: "24x7" | "business_hours",
): PlaybookDocument["levels"][number] => ({
  name,
  contacts: { portalUserIds: [], emails },
  respondWithinMinutes,
  calendar,
});

const defaults = {
  followUpCadenceMinutes: 12 * 60,
  autoAcknowledge: true,
  acknowledgementTargetMinutes: 15,
  acknowledgementCalendar: "24x7",
  autoSendFollowUp: false,
} as const;

/** One playbook per Northwind client, with the client's business hours: out-of-hours cover is the agency's job. */
const plans: Record<string, DemoPlaybookPlan> = {
  "Hexfall Games": {
    calendar: { timeZone: "Europe/London", weekly: weekdays([["09:00", "17:30"]]) },
    name: "Hacked accounts and legal threats",
    document: {
      ...defaults,
      triggers: { categories: ["account_hacked", "legal_threat"], riskFlags: ["legal"], keywords: [], priorities: [] },
      levels: [
        level("Player support lead", ["support-lead@hexfall.test"], 120, "business_hours"),
        level("Head of community", ["community-head@hexfall.test"], 60, "business_hours"),
      ],
    },
    escalated: {
      externalId: "demo-escalation-hexfall",
      handle: "nightowl_gamer",
      body: "My account was hacked last night and all my skins are gone. Someone changed my password!",
    },
  },
  Brightmart: {
    calendar: { timeZone: "America/New_York", weekly: weekdays([["08:00", "20:00"]]) },
    name: "Product safety",
    document: {
      ...defaults,
      triggers: { categories: ["product_safety"], riskFlags: ["safety"], keywords: [], priorities: [] },
      levels: [
        level("Product safety desk", ["safety@brightmart.test"], 60, "24x7"),
        level("PR on call", ["pr-oncall@brightmart.test"], 60, "24x7"),
      ],
    },
    escalated: {
      externalId: "demo-escalation-brightmart",
      handle: "sarah_k",
      body: "The Brightmart toaster I bought last week caught fire this morning. Is there a recall?",
    },
  },
  "Cobalt Bank": {
    calendar: { timeZone: "Europe/Berlin", weekly: weekdays([["08:00", "18:00"]]) },
    name: "Fraud and formal complaints",
    document: {
      ...defaults,
      followUpCadenceMinutes: 4 * 60,
      triggers: { categories: ["fraud", "complaint_regulator"], riskFlags: [], keywords: [], priorities: [] },
      levels: [
        level("Fraud team", ["fraud@cobalt.test"], 30, "24x7"),
        level("Complaints officer", ["complaints@cobalt.test"], 120, "business_hours"),
      ],
    },
    escalated: {
      externalId: "demo-escalation-cobalt",
      handle: "m.weber",
      body: "Three card payments left my account overnight. I did not make this payment or the other two: someone used my card!",
    },
  },
};

/** What the demo seed has made when it comes to an agency's queues: its clients and their channels, at `now`. */
export interface DemoClientsSeeded {
  clients: ReadonlyArray<{ id: string; name: string }>;
  channels: ReadonlyArray<{ id: string; clientId: string; platform: Platform }>;
  now: Date;
}

/**
 * Each Northwind client's business hours, in force since before the demo's history (seeded first, so the history's
 * clocks and last month's out-of-hours count are judged by them, as the months after are).
 */
export async function seedDemoBusinessHours(scope: Scope, tx: Executor, { clients: seeded }: DemoClientsSeeded) {
  for (const client of seeded) {
    const plan = plans[client.name];
    if (!plan) continue;
    await recordCalendarVersion(scope, tx, {
      clientId: client.id,
      effectiveFrom: demoHoursFrom,
      effectiveAt: new Date(wallTimeInstant(demoHoursFrom, 0, plan.calendar.timeZone)),
      calendar: plan.calendar,
    });
  }
}

/**
 * An escalation playbook and one open escalation for each Northwind client, so the portal's
 * inbox and SLA board have something to show. The item is ingested like any other (its clocks and triage
 * start); the embedded driver acknowledges it on the first poll.
 */
export async function seedDemoPlaybooks(
  scope: Scope,
  tx: Executor,
  { clients: seeded, channels, now }: DemoClientsSeeded,
): Promise<void> {
  for (const client of seeded) {
    const plan = plans[client.name];
    const channel = channels.find((candidate) => candidate.clientId === client.id && candidate.platform === "sandbox");
    if (!plan || !channel) continue;
    const playbook = await savePlaybook(scope, tx, { clientId: client.id, name: plan.name, document: plan.document });
    const ingestChannel = { id: channel.id, agencyId: scope.agencyId, clientId: client.id, platform: channel.platform };
    const { externalId, handle, body } = plan.escalated;
    const receivedAt = new Date(now.getTime() - 40 * 60_000);
    await recordSandboxPosts(tx, [{ ...ingestChannel, externalId, authorName: handle, body, postedAt: receivedAt }]);
    await ingestItems(
      ingestChannel,
      tx,
      {
        events: [
          {
            op: "upsert",
            item: { externalId, kind: "comment", author: { externalId: handle, handle }, body, createdAt: receivedAt },
          },
        ],
      },
      { now: () => receivedAt },
    );
    const [item] = await tx
      .select()
      .from(items)
      .where(
        and(eq(items.agencyId, scope.agencyId), eq(items.channelId, channel.id), eq(items.externalId, externalId)),
      );
    if (!item) continue;
    await openEscalation(tx, { item, playbook, level: 1, note: null, manual: false, now: receivedAt });
  }
}
