import { resolveScope } from "@parley/core/agencies";
import { type PlaybookDocument, savePlaybook } from "@parley/core/escalations";
import type { Scope } from "@parley/core/kernel";
import { ingestChannelItems } from "@parley/core/moderation";
import { createProtocolVersion } from "@parley/core/protocols";
import type { BusinessCalendar } from "@parley/core/sla";
import { type Database, schema, withTenant } from "@parley/db";
import { setBusinessHours, type TestAgency, testOutboundAllowlist } from "@parley/testing";
import { asc, eq } from "drizzle-orm";
import { gamesProtocol } from "../ingest/fixtures";

const weekday: [string, string][] = [["09:00", "17:30"]];
/** The client's cover: business hours in London (GMT in November, so local times read as UTC). */
export const londonBusinessHours: BusinessCalendar = {
  timeZone: "Europe/London",
  weekly: { mon: weekday, tue: weekday, wed: weekday, thu: weekday, fri: weekday },
};

/** Hacked accounts: acknowledged around the clock within 15 minutes, escalated to the duty manager, then the head of care. */
export function hackedAccountPlaybook(overrides: Partial<PlaybookDocument> = {}, stakeholderId?: string) {
  return {
    triggers: { categories: ["account_hacked"], riskFlags: [], keywords: [], priorities: [] },
    levels: [
      {
        name: "Duty manager",
        contacts: { portalUserIds: stakeholderId ? [stakeholderId] : [], emails: ["duty-manager@brand.test"] },
        respondWithinMinutes: 120,
        calendar: "business_hours",
      },
      {
        name: "Head of care",
        contacts: { portalUserIds: [], emails: ["head-of-care@brand.test"] },
        respondWithinMinutes: 60,
        calendar: "business_hours",
      },
    ],
    followUpCadenceMinutes: null,
    autoAcknowledge: true,
    acknowledgementTargetMinutes: 15,
    acknowledgementCalendar: "24x7",
    autoSendFollowUp: true,
    ...overrides,
  } satisfies PlaybookDocument;
}

export async function ownerScopeOf(db: Database, agency: TestAgency): Promise<Scope> {
  const scope = await resolveScope(db, { userId: agency.users.owner.id, agencyId: agency.agency.id });
  if (!scope) throw new Error("no scope");
  return scope;
}

/** Client A gets business hours, the games protocol (hacked accounts: triage) and a playbook. */
export async function prepareClient(
  db: { owner: Database; app: Database },
  agency: TestAgency,
  playbook: PlaybookDocument,
): Promise<{ scope: Scope; playbookId: string }> {
  await setBusinessHours(db.owner, {
    agencyId: agency.agency.id,
    clientId: agency.client.id,
    calendar: londonBusinessHours,
  });
  const scope = await ownerScopeOf(db.app, agency);
  const saved = await withTenant(
    db.app,
    { agencyId: scope.agencyId, clientIds: null, userId: scope.actorId },
    async (tx) => {
      await createProtocolVersion(scope, tx, { clientId: agency.client.id, document: gamesProtocol });
      return savePlaybook(
        scope,
        tx,
        { clientId: agency.client.id, name: "Hacked accounts", document: playbook },
        { outboundAllowlist: testOutboundAllowlist },
      );
    },
  );
  return { scope, playbookId: saved.id };
}

/** The client's channel in the shape ingest takes (client A's unless another client is named). */
export function channelOf(agency: TestAgency, clientId = agency.client.id) {
  const channel = agency.channels.find((candidate) => candidate.clientId === clientId);
  if (!channel) throw new Error("no channel");
  return { id: channel.id, agencyId: agency.agency.id, clientId, platform: channel.platform };
}

/** Weekday opening hours: the same span Monday to Friday, closed at the weekend. */
export const weekdays = (span: [string, string]) =>
  Object.fromEntries(["mon", "tue", "wed", "thu", "fri"].map((day) => [day, [span]]));

/** A customer's comment arrives on the channel at `now` (ingest's clock too); answers the stored item's id. */
export async function ingestComment(
  db: Database,
  channel: ReturnType<typeof channelOf>,
  { externalId, body, now }: { externalId: string; body: string; now: Date },
): Promise<string> {
  const result = await ingestChannelItems(
    db,
    channel,
    [
      {
        op: "upsert",
        item: {
          externalId,
          kind: "comment",
          author: { externalId: `author-${externalId}`, handle: `gamer_${externalId}` },
          body,
          createdAt: now,
        },
      },
    ],
    { now: () => now },
  );
  const id = result.items[0]?.id;
  if (!id) throw new Error("item not ingested");
  return id;
}

/** A customer whose account was hacked writes on the client's channel. */
export function ingestHackedComment(
  db: Database,
  agency: TestAgency,
  { externalId, now }: { externalId: string; now: Date },
): Promise<string> {
  return ingestComment(db, channelOf(agency), {
    externalId,
    body: "My account was hacked overnight and someone is spending my credits!",
    now,
  });
}

/** An item's clock rows as stored, first response before resolution. */
export const clocksOf = (db: Database, itemId: string) =>
  db.select().from(schema.slaClocks).where(eq(schema.slaClocks.itemId, itemId)).orderBy(asc(schema.slaClocks.metric));
