import type { Role } from "@parley/contracts";
import { schema, withTenant } from "@parley/db";
import { createTestDatabase, makeAgency, makeUser, type TestAgency, type TestDatabase } from "@parley/testing";
import { appRouter } from "@parley/trpc";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gamesProtocol } from "../ingest/fixtures";
import { callProcedure, makeTestApp, signInAs, type TestApp } from "../support/http";

/**
 * Every tRPC procedure, the roles allowed to call it, and an input aimed at agency A's second client.
 * `target`: must answer NOT_FOUND/FORBIDDEN from outside; `list`: must return nothing of A;
 * `create`: acts in the caller's own agency, so only "A unchanged" is checked. The input-validation test below
 * breaks these inputs field by field (`malformedInputs`).
 */
type Access = { roles: readonly Role[] | "any member" | "signed in"; kind: "target" | "list" | "create" };
type Entry = Access & { type: "query" | "mutation"; input: (a: TestAgency) => unknown };

const admins = ["owner", "admin"] as const;
const staff = ["owner", "admin", "account_manager", "moderator"] as const;
const accounts = ["owner", "admin", "account_manager"] as const;
const mods = ["owner", "admin", "moderator"] as const;
const invoiceReaders = ["owner", "admin", "account_manager", "client_stakeholder"] as const;
const matrix: Record<string, Entry> = {
  "apiKeys.list": { type: "query", roles: admins, kind: "list", input: () => undefined },
  "apiKeys.create": {
    type: "mutation",
    roles: admins,
    kind: "create",
    input: (a) => ({ name: "Isolation key", scopes: ["items:read"], clientId: a.otherClient.id }),
  },
  "apiKeys.revoke": { type: "mutation", roles: admins, kind: "target", input: () => ({ apiKeyId: aApiKeyId }) },
  "me.get": { type: "query", roles: "signed in", kind: "list", input: () => undefined },
  "me.switchAgency": {
    type: "mutation",
    roles: "signed in",
    kind: "target",
    input: (a) => ({ agencyId: a.agency.id }),
  },
  "me.changePassword": {
    type: "mutation",
    roles: "signed in",
    kind: "create",
    input: () => ({ currentPassword: "not the password", newPassword: "an isolation passphrase" }),
  },
  "agency.billingDetails": { type: "query", roles: admins, kind: "list", input: () => undefined },
  "agency.updateBillingDetails": {
    type: "mutation",
    roles: admins,
    kind: "create",
    input: () => ({ legalName: "Intruder Ltd", billingAddress: "1 Other Street", taxId: null, billingEmail: null }),
  },
  "agency.slaPolicy": { type: "query", roles: admins, kind: "list", input: () => undefined },
  "agency.saveSlaPolicy": {
    type: "mutation",
    roles: admins,
    kind: "create",
    input: () => ({ targets: [{ priority: "P1", metric: "first_response", minutes: 5, calendar: "24x7" }] }),
  },
  "clients.businessHours": {
    type: "query",
    roles: accounts,
    kind: "target",
    input: (a) => ({ clientId: a.otherClient.id }),
  },
  "clients.saveBusinessHours": {
    type: "mutation",
    roles: admins,
    kind: "target",
    input: (a) => ({
      clientId: a.otherClient.id,
      effectiveFrom: "2099-01-01",
      calendar: { timeZone: "UTC", weekly: { mon: [["09:00", "17:00"]] } },
    }),
  },
  "clients.list": { type: "query", roles: "any member", kind: "list", input: () => ({ includeArchived: true }) },
  "clients.create": {
    type: "mutation",
    roles: admins,
    kind: "create",
    input: () => ({ name: "Isolation Co", timeZone: "UTC" }),
  },
  "clients.update": {
    type: "mutation",
    roles: admins,
    kind: "target",
    input: (a) => ({ clientId: a.otherClient.id, name: "Taken over" }),
  },
  "clients.updateBillingDetails": {
    type: "mutation",
    roles: accounts,
    kind: "target",
    input: (a) => ({
      clientId: a.otherClient.id,
      billingAddress: "1 Taken Over Road",
      taxId: "GB999999999",
      billingEmail: "intruder@example.test",
    }),
  },
  "clients.archive": {
    type: "mutation",
    roles: admins,
    kind: "target",
    input: (a) => ({ clientId: a.otherClient.id }),
  },
  "channels.list": { type: "query", roles: staff, kind: "list", input: () => ({}) },
  "channels.create": {
    type: "mutation",
    roles: admins,
    kind: "target",
    input: (a) => ({
      clientId: a.otherClient.id,
      platform: "generic",
      externalAccountId: "intruder",
      displayName: "Intruder",
    }),
  },
  "channels.connection": {
    type: "query",
    roles: admins,
    kind: "target",
    input: (a) => ({ channelId: a.channels.find((c) => c.clientId === a.otherClient.id)?.id }),
  },
  "channels.testConnection": {
    type: "mutation",
    roles: admins,
    kind: "target",
    input: (a) => ({ channelId: a.channels.find((c) => c.clientId === a.otherClient.id)?.id }),
  },
  "channels.update": {
    type: "mutation",
    roles: admins,
    kind: "target",
    input: (a) => ({ channelId: a.channels[1]?.id, displayName: "Taken over" }),
  },
  "channels.rotateSecret": {
    type: "mutation",
    roles: admins,
    kind: "target",
    input: (a) => ({ channelId: a.channels[1]?.id }),
  },
  "members.list": { type: "query", roles: admins, kind: "list", input: () => undefined },
  "members.invite": {
    type: "mutation",
    roles: admins,
    kind: "create",
    input: () => ({
      email: `invitee-${Math.random().toString(36).slice(2)}@example.test`,
      name: "Invitee",
      role: "moderator",
    }),
  },
  "members.invitations": { type: "query", roles: admins, kind: "list", input: () => undefined },
  "members.revokeInvitation": {
    type: "mutation",
    roles: admins,
    kind: "target",
    input: () => ({ invitationId: aInvitationId }),
  },
  "members.issuePasswordReset": {
    type: "mutation",
    roles: ["owner"],
    kind: "target",
    input: (a) => ({ membershipId: a.users.moderator.membershipId }),
  },
  "members.assignClients": {
    type: "mutation",
    roles: admins,
    kind: "target",
    input: (a) => ({
      membershipId: a.users.moderator.membershipId,
      assignments: [{ clientId: a.otherClient.id, authority: "triage" }],
    }),
  },
  "members.changeRole": {
    type: "mutation",
    roles: admins,
    kind: "target",
    input: (a) => ({ membershipId: a.users.moderator.membershipId, role: "admin" }),
  },
  "members.remove": {
    type: "mutation",
    roles: admins,
    kind: "target",
    input: (a) => ({ membershipId: a.users.moderator.membershipId }),
  },
  "protocols.active": {
    type: "query",
    roles: "any member",
    kind: "target",
    input: (a) => ({ clientId: a.otherClient.id }),
  },
  "protocols.versions": {
    type: "query",
    roles: "any member",
    kind: "target",
    input: (a) => ({ clientId: a.otherClient.id }),
  },
  "protocols.version": {
    type: "query",
    roles: "any member",
    kind: "target",
    input: () => ({ versionId: aProtocolVersionId }),
  },
  "protocols.diff": {
    type: "query",
    roles: "any member",
    kind: "target",
    input: () => ({ fromVersionId: aProtocolVersionId, toVersionId: aProtocolVersionId }),
  },
  "protocols.previewPhrase": {
    type: "query",
    roles: ["owner", "admin", "client_stakeholder"],
    kind: "target",
    input: (a) => ({ clientId: a.otherClient.id, phrase: "our fault", sample: "It was our fault" }),
  },
  "protocols.rollback": {
    type: "mutation",
    roles: ["owner", "admin", "client_stakeholder"],
    kind: "target",
    input: () => ({ versionId: aProtocolVersionId }),
  },
  "contracts.list": { type: "query", roles: accounts, kind: "target", input: (a) => ({ clientId: a.otherClient.id }) },
  "contracts.save": {
    type: "mutation",
    roles: accounts,
    kind: "target",
    input: (a) => ({
      clientId: a.otherClient.id,
      terms: {
        currency: "EUR",
        validFrom: "2026-01-01",
        retainerMinor: 100,
        includedItems: 0,
        overageTiers: [],
        escalationFeeMinor: 0,
        outOfHoursSurchargeMinor: 0,
        slaTargets: [],
        creditTiers: [],
        creditCapPercent: 10,
      },
    }),
  },
  "invoices.list": {
    type: "query",
    roles: invoiceReaders,
    kind: "list",
    input: (a) => ({ clientId: a.otherClient.id }),
  },
  "invoices.get": { type: "query", roles: invoiceReaders, kind: "target", input: () => ({ invoiceId: aInvoiceId }) },
  "invoices.breachedItems": {
    type: "query",
    roles: invoiceReaders,
    kind: "target",
    input: () => ({ invoiceId: aInvoiceId, priority: "P1", metric: "first_response" }),
  },
  "invoices.createDrafts": {
    type: "mutation",
    roles: accounts,
    kind: "target",
    input: (a) => ({ period: "2026-01", clientIds: [a.otherClient.id] }),
  },
  "invoices.refresh": { type: "mutation", roles: accounts, kind: "target", input: () => ({ invoiceId: aInvoiceId }) },
  "invoices.actions": { type: "query", roles: accounts, kind: "target", input: () => ({ invoiceId: aInvoiceId }) },
  "invoices.finalize": { type: "mutation", roles: accounts, kind: "target", input: () => ({ invoiceId: aInvoiceId }) },
  "invoices.creditNote": {
    type: "mutation",
    roles: accounts,
    kind: "target",
    input: () => ({ invoiceId: aInvoiceId, reason: "Taken over" }),
  },
  "invoices.pushToStripe": {
    type: "mutation",
    roles: accounts,
    kind: "target",
    input: () => ({ invoiceId: aInvoiceId }),
  },
  "protocols.save": {
    type: "mutation",
    roles: ["owner", "admin", "client_stakeholder"],
    kind: "target",
    input: (a) => ({ clientId: a.otherClient.id, document: gamesProtocol }),
  },
  "queue.clusters": { type: "query", roles: mods, kind: "target", input: (a) => ({ clientId: a.otherClient.id }) },
  "queue.list": { type: "query", roles: mods, kind: "target", input: (a) => ({ clientId: a.otherClient.id }) },
  "queue.counts": { type: "query", roles: staff, kind: "list", input: () => ({}) },
  "queue.claimNext": { type: "mutation", roles: mods, kind: "target", input: (a) => ({ clientId: a.otherClient.id }) },
  "queue.release": { type: "mutation", roles: mods, kind: "target", input: () => ({ itemId: aClaimedItemId }) },
  "queue.skip": { type: "mutation", roles: mods, kind: "target", input: () => ({ itemId: aClaimedItemId }) },
  "queue.renew": { type: "mutation", roles: mods, kind: "target", input: () => ({ itemId: aClaimedItemId }) },
  "queue.reassign": {
    type: "mutation",
    roles: admins,
    kind: "target",
    input: (a) => ({ itemId: aClaimedItemId, toUserId: a.users.moderator.id }),
  },
  "items.get": { type: "query", roles: staff, kind: "target", input: () => ({ itemId: aClaimedItemId }) },
  "items.hide": { type: "mutation", roles: mods, kind: "target", input: () => ({ itemId: aClaimedItemId }) },
  "items.unhide": { type: "mutation", roles: mods, kind: "target", input: () => ({ itemId: aClaimedItemId }) },
  "items.delete": { type: "mutation", roles: mods, kind: "target", input: () => ({ itemId: aClaimedItemId }) },
  "items.noAction": { type: "mutation", roles: mods, kind: "target", input: () => ({ itemId: aClaimedItemId }) },
  "items.tag": {
    type: "mutation",
    roles: mods,
    kind: "target",
    input: () => ({ itemId: aClaimedItemId, tags: ["x"] }),
  },
  "items.note": { type: "mutation", roles: mods, kind: "target", input: () => ({ itemId: aClaimedItemId, body: "x" }) },
  "items.linkCustomer": {
    type: "mutation",
    roles: mods,
    kind: "target",
    input: (a) => ({ itemId: aClaimedItemId, customerId: a.otherClient.id }),
  },
  "items.bulk": {
    type: "mutation",
    roles: mods,
    kind: "target",
    input: () => ({ itemIds: [aClaimedItemId], action: "hide" }),
  },
  "replies.check": {
    type: "mutation",
    roles: mods,
    kind: "target",
    input: () => ({ itemId: aClaimedItemId, text: "Hi" }),
  },
  "replies.send": {
    type: "mutation",
    roles: mods,
    kind: "target",
    input: () => ({ itemId: aClaimedItemId, text: "Hi" }),
  },
  "replies.approvals": {
    type: "query",
    roles: ["owner", "admin", "client_stakeholder"],
    kind: "list",
    input: () => undefined,
  },
  "replies.acknowledge": {
    type: "mutation",
    roles: mods,
    kind: "target",
    input: () => ({ itemId: aClaimedItemId }),
  },
  "replies.decided": {
    type: "query",
    roles: ["owner", "admin", "client_stakeholder"],
    kind: "list",
    input: () => undefined,
  },
  "replies.resend": {
    type: "mutation",
    roles: mods,
    kind: "target",
    input: () => ({ replyId: aFailedReplyId, text: "Hi again" }),
  },
  "deliveries.retry": {
    type: "mutation",
    roles: mods,
    kind: "target",
    input: () => ({ deliveryId: aFailedDeliveryId }),
  },
  "deliveries.cancel": {
    type: "mutation",
    roles: mods,
    kind: "target",
    input: () => ({ deliveryId: aFailedDeliveryId }),
  },
  "replies.approve": {
    type: "mutation",
    roles: ["owner", "admin", "client_stakeholder"],
    kind: "target",
    input: () => ({ replyId: aPendingReplyId }),
  },
  "replies.reject": {
    type: "mutation",
    roles: ["owner", "admin", "client_stakeholder"],
    kind: "target",
    input: () => ({ replyId: aPendingReplyId, comment: "No" }),
  },
  "playbooks.list": {
    type: "query",
    roles: "any member",
    kind: "target",
    input: (a) => ({ clientId: a.otherClient.id }),
  },
  "playbooks.options": {
    type: "query",
    roles: admins,
    kind: "target",
    input: (a) => ({ clientId: a.otherClient.id }),
  },
  "playbooks.save": {
    type: "mutation",
    roles: admins,
    kind: "target",
    input: (a) => ({
      clientId: a.otherClient.id,
      name: "Taken over",
      document: { levels: [{ respondWithinMinutes: 60, calendar: "24x7" }] },
    }),
  },
  "escalations.list": { type: "query", roles: "any member", kind: "list", input: () => ({}) },
  "escalations.get": {
    type: "query",
    roles: "any member",
    kind: "target",
    input: () => ({ escalationId: aEscalationId }),
  },
  "escalations.preview": { type: "query", roles: mods, kind: "target", input: () => ({ itemId: aClaimedItemId }) },
  "escalations.escalate": { type: "mutation", roles: mods, kind: "target", input: () => ({ itemId: aClaimedItemId }) },
  "escalations.acknowledge": {
    type: "mutation",
    roles: ["owner", "admin", "client_stakeholder"],
    kind: "target",
    input: () => ({ escalationId: aEscalationId }),
  },
  "escalations.answer": {
    type: "mutation",
    roles: ["owner", "admin", "client_stakeholder"],
    kind: "target",
    input: () => ({ escalationId: aEscalationId, answer: "Taken over" }),
  },
  "escalations.resolve": {
    type: "mutation",
    roles: ["owner", "admin", "client_stakeholder"],
    kind: "target",
    input: () => ({ escalationId: aEscalationId }),
  },
  "escalations.inbox": { type: "query", roles: "any member", kind: "list", input: () => ({}) },
  "escalations.markRead": {
    type: "mutation",
    roles: "any member",
    kind: "target",
    input: () => ({ notificationIds: [aNotificationId] }),
  },
  // Acts on the caller's own notices only (answers a count, no ids): from another agency or client, A's stay unread.
  "escalations.markAllRead": { type: "mutation", roles: "any member", kind: "list", input: () => undefined },
  "floor.view": { type: "query", roles: admins, kind: "list", input: () => undefined },
  "staffing.plan": { type: "query", roles: accounts, kind: "list", input: () => ({ weekStart: nextMonday() }) },
  "staffing.review": { type: "query", roles: accounts, kind: "list", input: () => ({ weekStart: lastMonday() }) },
  "staffing.accuracy": { type: "query", roles: accounts, kind: "list", input: () => undefined },
  "staffing.handlingTimes": { type: "query", roles: accounts, kind: "list", input: () => undefined },
  "staffing.events": { type: "query", roles: accounts, kind: "list", input: () => undefined },
  "staffing.createEvent": {
    type: "mutation",
    roles: accounts,
    kind: "target",
    input: (a) => ({
      clientId: a.otherClient.id,
      name: "Intruder launch",
      date: "2026-12-18",
      startTime: "12:00",
      durationMinutes: 360,
      multiplier: 5,
    }),
  },
  "staffing.deleteEvent": { type: "mutation", roles: accounts, kind: "target", input: () => ({ eventId: aEventId }) },
  "staffing.roster": { type: "query", roles: accounts, kind: "list", input: () => undefined },
  "staffing.addShift": {
    type: "mutation",
    roles: accounts,
    kind: "target",
    input: (a) => ({
      membershipId: a.users.moderator.membershipId,
      weekday: "fri",
      startTime: "12:00",
      endTime: "18:00",
    }),
  },
  "staffing.endShift": { type: "mutation", roles: accounts, kind: "target", input: () => ({ shiftId: aShiftId }) },
  "staffing.addException": {
    type: "mutation",
    roles: accounts,
    kind: "target",
    input: (a) => ({
      membershipId: a.users.moderator.membershipId,
      kind: "absence",
      startDate: "2026-12-18",
      startTime: "09:00",
      endDate: "2026-12-18",
      endTime: "17:00",
    }),
  },
  "staffing.deleteException": {
    type: "mutation",
    roles: accounts,
    kind: "target",
    input: () => ({ exceptionId: aExceptionId }),
  },
  "staffing.settings": { type: "query", roles: accounts, kind: "list", input: () => undefined },
  "staffing.saveSettings": {
    type: "mutation",
    roles: accounts,
    kind: "create",
    input: () => ({ maxOccupancyPercent: 80, shrinkagePercent: 25, fallbackAhtSeconds: 200, triageAhtSeconds: 45 }),
  },
  "reports.summary": {
    type: "query",
    roles: invoiceReaders,
    kind: "target",
    input: (a) => ({ from: "2026-11-01", to: "2026-11-30", clientIds: [a.otherClient.id] }),
  },
  "reports.items": {
    type: "query",
    roles: invoiceReaders,
    kind: "target",
    input: (a) => ({ from: "2026-11-01", to: "2026-11-30", clientIds: [a.otherClient.id], figure: "items_in" }),
  },
  "reports.insight": {
    type: "query",
    roles: invoiceReaders,
    kind: "target",
    input: (a) => ({ from: "2026-11-01", to: "2026-11-30", clientIds: [a.otherClient.id] }),
  },
  "reports.insightItems": {
    type: "query",
    roles: invoiceReaders,
    kind: "target",
    input: (a) => ({ from: "2026-11-01", to: "2026-11-30", clientIds: [a.otherClient.id], figure: "thanked" }),
  },
  "reports.topics": {
    type: "query",
    roles: invoiceReaders,
    kind: "target",
    input: (a) => ({ from: "2026-11-23", to: "2026-11-29", clientId: a.otherClient.id }),
  },
  "reports.topicItems": {
    type: "query",
    roles: invoiceReaders,
    kind: "target",
    input: (a) => ({ from: "2026-11-23", to: "2026-11-29", clientId: a.otherClient.id, topicKey: "category:billing" }),
  },
  "sandbox.page": { type: "query", roles: staff, kind: "target", input: () => ({ channelId: aSandboxChannelId }) },
  "sla.board": { type: "query", roles: "any member", kind: "target", input: (a) => ({ clientId: a.otherClient.id }) },
  "sla.clocks": { type: "query", roles: "any member", kind: "list", input: () => ({ itemIds: [aClaimedItemId] }) },
  "sla.summary": { type: "query", roles: "any member", kind: "target", input: (a) => ({ clientId: a.otherClient.id }) },
  "sla.month": {
    type: "query",
    roles: "any member",
    kind: "target",
    input: (a) => ({ clientId: a.otherClient.id, month: "2026-11" }),
  },
};

let db: TestDatabase;
let app: TestApp;
let a: TestAgency;
let b: TestAgency;
let otherClientStakeholder: string;
let aApiKeyId: string;
let aInvitationId: string;
let aClaimedItemId: string;
let aPendingReplyId: string;
let aInvoiceId: string;
let aEscalationId: string;
let aNotificationId: string;
let aEventId: string;
let aShiftId: string;
let aExceptionId: string;
let aSandboxChannelId: string;
let aFailedReplyId: string;
let aFailedDeliveryId: string;
let aProtocolVersionId: string;

/** The Monday of the week `weeks` from now (UTC dates: the factory's agencies run on UTC). */
function mondayIn(weeks: number): string {
  const today = new Date();
  const monday = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()));
  monday.setUTCDate(monday.getUTCDate() - ((monday.getUTCDay() + 6) % 7) + 7 * weeks);
  return monday.toISOString().slice(0, 10);
}
const nextMonday = () => mondayIn(1);
const lastMonday = () => mondayIn(-1);

/** Every row of every tenant table (found in the catalog) that belongs to the agency. */
async function snapshotOf(agency: TestAgency) {
  const tables = await db.owner.execute<{ table_name: string }>(sql`
    select table_name from information_schema.columns
    where table_schema = 'public' and column_name = 'agency_id' order by 1`);
  const snapshot: Record<string, unknown[]> = {};
  for (const { table_name: table } of tables) {
    snapshot[table] = await db.owner.execute(
      sql`select * from ${sql.identifier(table)} where agency_id = ${agency.agency.id} order by 1`,
    );
  }
  return snapshot;
}

/** A session cookie of agency A's user of each role. */
async function signInEveryRole(): Promise<Map<Role, string>> {
  const users: Record<Role, { email: string }> = {
    owner: a.users.owner,
    admin: a.users.admin,
    account_manager: a.users.accountManager,
    moderator: a.users.moderator,
    client_stakeholder: a.users.stakeholder,
  };
  const cookies = new Map<Role, string>();
  for (const [role, user] of Object.entries(users)) cookies.set(role as Role, await signInAs(app, user.email));
  return cookies;
}

function idsOf(agency: TestAgency, includeFirstClient: boolean): string[] {
  return [
    agency.agency.id,
    agency.otherClient.id,
    ...(includeFirstClient ? [agency.client.id] : []),
    ...agency.channels.filter((c) => includeFirstClient || c.clientId !== agency.client.id).map((c) => c.id),
  ];
}

beforeAll(async () => {
  db = await createTestDatabase();
  app = makeTestApp(db.app);
  a = await makeAgency(db.owner);
  b = await makeAgency(db.owner);
  // A stakeholder of A's first client only: A's second client is "another client" to them.
  const stakeholder = await makeUser(db.owner, {
    agencyId: a.agency.id,
    role: "client_stakeholder",
    assignments: [{ clientId: a.client.id, authority: "view" }],
  });
  otherClientStakeholder = await signInAs(app, stakeholder.email);
  const [apiKey] = await db.owner
    .insert(schema.apiKeys)
    .values({ agencyId: a.agency.id, name: "A's key", prefix: "pk_live_aa", keyHash: "a".repeat(64) })
    .returning();
  aApiKeyId = apiKey?.id ?? "";
  const [invitation] = await withTenant(db.owner, { agencyId: a.agency.id, clientIds: null }, (tx) =>
    tx
      .insert(schema.invitations)
      .values({
        agencyId: a.agency.id,
        email: "pending@example.test",
        name: "Pending",
        role: "moderator",
        tokenHash: "b".repeat(64),
        invitedBy: a.users.owner.id,
        expiresAt: new Date(Date.now() + 86_400_000),
      })
      .returning(),
  );
  aInvitationId = invitation?.id ?? "";
  const [sandbox] = await db.owner
    .insert(schema.channels)
    .values({
      agencyId: a.agency.id,
      clientId: a.otherClient.id,
      platform: "sandbox",
      externalAccountId: "isolation-sandbox",
      displayName: "A's sandbox page",
      ingestSecretEnc: "unused",
    })
    .returning();
  aSandboxChannelId = sandbox?.id ?? "";
  const [protocolVersion] = await db.owner
    .insert(schema.protocolVersions)
    .values({ agencyId: a.agency.id, clientId: a.otherClient.id, version: 1, document: gamesProtocol, active: true })
    .returning();
  aProtocolVersionId = protocolVersion?.id ?? "";
  const [claimed] = await db.owner
    .insert(schema.items)
    .values({
      agencyId: a.agency.id,
      clientId: a.otherClient.id,
      channelId: a.channels.find((c) => c.clientId === a.otherClient.id)?.id ?? "",
      externalId: "isolation-claimed",
      kind: "comment",
      authorExternalId: "author",
      authorHandle: "author",
      body: "A claimed item of A's second client",
      createdAt: new Date(),
      status: "claimed",
      claimedBy: a.users.moderator.id,
      claimExpiresAt: new Date(Date.now() + 3_600_000),
    })
    .returning();
  aClaimedItemId = claimed?.id ?? "";
  const [escalation] = await db.owner
    .insert(schema.escalations)
    .values({ agencyId: a.agency.id, clientId: a.otherClient.id, itemId: aClaimedItemId, packet: {} })
    .returning();
  aEscalationId = escalation?.id ?? "";
  const [notification] = await db.owner
    .insert(schema.notifications)
    .values({
      agencyId: a.agency.id,
      clientId: a.otherClient.id,
      recipientUserId: a.users.admin.id,
      kind: "escalation.opened",
      subjectType: "escalation",
      subjectId: aEscalationId,
      title: "Escalation",
      body: "A notice of A's admin",
    })
    .returning();
  aNotificationId = notification?.id ?? "";
  const [pending] = await db.owner
    .insert(schema.replies)
    .values({
      agencyId: a.agency.id,
      clientId: a.otherClient.id,
      itemId: aClaimedItemId,
      channelId: claimed?.channelId ?? "",
      body: "A reply of A's second client awaiting approval",
      status: "pending_approval",
      requiresApproval: "agency_lead",
    })
    .returning();
  aPendingReplyId = pending?.id ?? "";
  const [failed] = await db.owner
    .insert(schema.replies)
    .values({
      agencyId: a.agency.id,
      clientId: a.otherClient.id,
      itemId: aClaimedItemId,
      channelId: claimed?.channelId ?? "",
      body: "A reply of A's second client whose delivery failed",
      status: "failed",
      failureReason: "The channel's callback answered 500: a server error",
    })
    .returning();
  aFailedReplyId = failed?.id ?? "";
  const [failedDelivery] = await db.owner
    .insert(schema.outboundDeliveries)
    .values({
      agencyId: a.agency.id,
      clientId: a.otherClient.id,
      itemId: aClaimedItemId,
      channelId: claimed?.channelId ?? "",
      replyId: aFailedReplyId,
      action: "reply",
      status: "failed",
      attempts: 6,
      lastError: "The channel's callback answered 500: a server error",
    })
    .returning();
  aFailedDeliveryId = failedDelivery?.id ?? "";
  const [invoice] = await db.owner
    .insert(schema.invoices)
    .values({
      agencyId: a.agency.id,
      clientId: a.otherClient.id,
      status: "finalized",
      periodStart: "2025-12-01",
      periodEnd: "2026-01-01",
      currency: "EUR",
      number: "IS-2026-0001",
    })
    .returning();
  aInvoiceId = invoice?.id ?? "";
  // A's planned event for its second client, and a shift and an absence of its moderator.
  const [event] = await db.owner
    .insert(schema.plannedEvents)
    .values({
      agencyId: a.agency.id,
      clientId: a.otherClient.id,
      name: "A's launch",
      startsAt: new Date(Date.now() + 7 * 86_400_000),
      durationMinutes: 120,
      multiplier: 3,
    })
    .returning();
  aEventId = event?.id ?? "";
  const [shift] = await db.owner
    .insert(schema.rosterShifts)
    .values({
      agencyId: a.agency.id,
      membershipId: a.users.moderator.membershipId,
      weekday: 0,
      startMinute: 8 * 60,
      endMinute: 16 * 60,
      startsOn: "2026-01-01",
    })
    .returning();
  aShiftId = shift?.id ?? "";
  const [exception] = await db.owner
    .insert(schema.rosterExceptions)
    .values({
      agencyId: a.agency.id,
      membershipId: a.users.moderator.membershipId,
      kind: "absence",
      startsAt: new Date(Date.now() + 86_400_000),
      endsAt: new Date(Date.now() + 2 * 86_400_000),
    })
    .returning();
  aExceptionId = exception?.id ?? "";
});
afterAll(() => db.close());

/**
 * The matrix makes a request per procedure, role and input variant, so its run time grows with every procedure the
 * API gains; on a loaded 2-core machine the default 30 s is not enough for the larger ones.
 */
const matrixTimeout = { timeout: 180_000 };

describe("procedure isolation matrix", () => {
  it("lists every procedure of the router", () => {
    expect(Object.keys(appRouter._def.procedures).sort()).toEqual(Object.keys(matrix).sort());
  });

  it("refuses every procedure to roles it does not list", matrixTimeout, async () => {
    const cookies = await signInEveryRole();
    const before = await snapshotOf(a);
    for (const [path, entry] of Object.entries(matrix)) {
      if (!Array.isArray(entry.roles)) continue;
      for (const role of cookies.keys()) {
        if ((entry.roles as readonly Role[]).includes(role)) continue;
        const outcome = await callProcedure(app, {
          cookie: cookies.get(role),
          path,
          type: entry.type,
          input: entry.input(a),
        });
        expect({ path, role, code: outcome.error?.code }).toEqual({ path, role, code: "FORBIDDEN" });
      }
    }
    expect(await snapshotOf(a)).toEqual(before);
  });

  it("shows and changes nothing of another agency, whatever the caller's role there", matrixTimeout, async () => {
    const callers = [b.users.owner, b.users.admin, b.users.moderator, b.users.stakeholder];
    const before = await snapshotOf(a);
    for (const caller of callers) {
      const cookie = await signInAs(app, caller.email);
      for (const [path, entry] of Object.entries(matrix)) {
        const outcome = await callProcedure(app, { cookie, path, type: entry.type, input: entry.input(a) });
        if (entry.kind === "target") {
          expect({ path, caller: caller.role, code: outcome.error?.code }).toEqual({
            path,
            caller: caller.role,
            code: expect.stringMatching(/^(NOT_FOUND|FORBIDDEN)$/),
          });
        } else {
          const leaked = idsOf(a, true).filter((id) => JSON.stringify(outcome.data ?? null).includes(id));
          expect({ path, caller: caller.role, leaked }).toEqual({ path, caller: caller.role, leaked: [] });
        }
      }
    }
    expect(await snapshotOf(a)).toEqual(before);
  });

  it("shows and changes nothing of another client to a stakeholder", matrixTimeout, async () => {
    const before = await snapshotOf(a);
    for (const [path, entry] of Object.entries(matrix)) {
      if (path === "me.switchAgency") continue; // their own agency: switching to it is allowed
      if (path === "me.changePassword") continue; // their own password: a wrong current one is a 400
      const outcome = await callProcedure(app, {
        cookie: otherClientStakeholder,
        path,
        type: entry.type,
        input: entry.input(a),
      });
      if (entry.kind === "list") {
        const leaked = idsOf(a, false)
          .filter((id) => id !== a.agency.id)
          .filter((id) => JSON.stringify(outcome.data ?? null).includes(id));
        expect({ path, leaked }).toEqual({ path, leaked: [] });
      } else {
        expect({ path, code: outcome.error?.code }).toEqual({
          path,
          code: expect.stringMatching(/^(NOT_FOUND|FORBIDDEN)$/),
        });
      }
    }
    expect(await snapshotOf(a)).toEqual(before);
  });
});

/**
 * Inputs a procedure must refuse: for each field of its valid input, a value of another type, and a text longer than
 * any the API takes (a draft, the longest, may hold 100,000 characters).
 */
function malformedInputs(valid: unknown): Array<{ variant: string; field?: string; input: unknown }> {
  if (typeof valid !== "object" || valid === null || Array.isArray(valid)) return [];
  const otherType = (value: unknown): unknown => {
    if (typeof value === "string") return 12345;
    if (typeof value === "number") return "12345x";
    if (typeof value === "boolean") return "true";
    if (Array.isArray(value)) return { 0: value[0] ?? "x" };
    if (value === null) return 12345;
    return "not an object";
  };
  return [
    { variant: "a string instead of an object", input: "x" },
    ...Object.entries(valid).flatMap(([field, value]) => [
      { variant: `${field} of another type`, field, input: { ...valid, [field]: otherType(value) } },
      ...(typeof value === "string"
        ? [{ variant: `${field} 200,001 characters long`, field, input: { ...valid, [field]: "x".repeat(200_001) } }]
        : []),
    ]),
  ];
}

describe("procedure input validation", () => {
  it(
    "refuses malformed input to every procedure with a 400 naming the field, changing nothing",
    matrixTimeout,
    async () => {
      const cookies = await signInEveryRole();
      const before = await snapshotOf(a);
      const wrong: Array<{ path: string; variant: string; status: number; message?: string }> = [];
      for (const [path, entry] of Object.entries(matrix)) {
        const role: Role = Array.isArray(entry.roles) ? (entry.roles[0] as Role) : "owner";
        for (const { variant, field, input } of malformedInputs(entry.input(a))) {
          const outcome = await callProcedure(app, { cookie: cookies.get(role), path, type: entry.type, input });
          const fields = Object.keys(outcome.error?.details.fields ?? {});
          const named = field === undefined || fields.some((name) => name === field || name.startsWith(`${field}.`));
          if (outcome.status !== 400 || outcome.error?.code !== "BAD_INPUT" || !named) {
            wrong.push({ path, variant, status: outcome.status, message: outcome.error?.message });
          }
        }
      }
      expect(wrong).toEqual([]);
      expect(await snapshotOf(a)).toEqual(before);
    },
  );
});
