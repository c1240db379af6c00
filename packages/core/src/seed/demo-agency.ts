import type { Authority, Platform, Role } from "@parley/contracts";
import { type Database, schema, withTenant } from "@parley/db";
import { count, sql } from "drizzle-orm";
import type { Scope } from "../kernel/scope";
import { generateSecret, type SecretBox } from "../kernel/secret-box";
import { createProtocolVersion } from "../protocols/protocol-versions";
import { seedDemoBilling, seedDemoContracts } from "./demo-billing";
import { seedDemoBusinessHours, seedDemoPlaybooks } from "./demo-playbooks";
import { demoProtocols } from "./demo-protocols";
import { seedDemoQueue } from "./demo-queue";
import { type DemoModerator, seedDemoStaffing } from "./demo-staffing";

const { agencies, users, memberships, clientAssignments, clients, channels } = schema;

export interface DemoSeedOptions {
  demoPassword: string;
  secretBox: SecretBox;
  hashPassword(password: string): Promise<string>;
}

export interface DemoChannel {
  id: string;
  clientId: string;
  platform: Platform;
  displayName: string;
  ingestSecret: string;
  verifyToken?: string;
  appSecret?: string;
}

export interface DemoData {
  password: string;
  logins: Array<{ email: string; role: Role; agency: string; note: string }>;
  agencies: Array<{ id: string; name: string; clients: Array<{ id: string; name: string; timeZone: string }> }>;
  channels: DemoChannel[];
}

/** What invoices print for a party (fictional, but shaped like the real thing). */
interface BillingPlan {
  billingAddress: string;
  taxId?: string;
  billingEmail?: string;
}

interface ClientPlan {
  name: string;
  timeZone: string;
  slug: string;
  billing?: BillingPlan;
}

interface AgencyPlan {
  name: string;
  timeZone: string;
  legalName?: string;
  billing?: BillingPlan;
  clients: ClientPlan[];
  users: UserPlan[];
}

interface UserPlan {
  email: string;
  name: string;
  role: Role;
  note: string;
  assignments: Array<{ client: string; authority: Authority; clientAdmin?: boolean }>;
}

const northwind = {
  name: "Northwind Social",
  timeZone: "Europe/London",
  legalName: "Northwind Social Care Ltd",
  billing: {
    billingAddress: "4th Floor, 21 Albion Street\nLeeds LS1 5ES\nUnited Kingdom",
    taxId: "GB 123 4567 89",
    billingEmail: "billing@northwind.test",
  },
  clients: [
    {
      name: "Hexfall Games",
      timeZone: "Europe/London",
      slug: "hexfall",
      billing: {
        billingAddress: "Attn: Accounts Payable\nHexfall Games Ltd\n88 Wood Lane\nLondon W12 7RH\nUnited Kingdom",
        taxId: "GB 987 6543 21",
        billingEmail: "accounts@hexfall.test",
      },
    },
    {
      name: "Brightmart",
      timeZone: "America/New_York",
      slug: "brightmart",
      billing: {
        billingAddress: "Brightmart Inc.\nAccounts Payable\n350 Fifth Avenue, Suite 4100\nNew York, NY 10118\nUSA",
        taxId: "EIN 13-4567890",
        billingEmail: "ap@brightmart.test",
      },
    },
    {
      name: "Cobalt Bank",
      timeZone: "Europe/Berlin",
      slug: "cobalt",
      billing: {
        billingAddress: "Cobalt Bank AG\nKreditorenbuchhaltung\nTaunusanlage 12\n60325 Frankfurt am Main\nGermany",
        taxId: "DE 814 567 239",
        billingEmail: "rechnungen@cobalt-bank.test",
      },
    },
  ] satisfies ClientPlan[],
  users: [
    {
      email: "owner@northwind.test",
      name: "Olivia Owner",
      role: "owner",
      note: "agency owner: Admin",
      assignments: [],
    },
    {
      email: "am@northwind.test",
      name: "Amir Account",
      role: "account_manager",
      note: "account manager: Accounts",
      assignments: ["Hexfall Games", "Brightmart", "Cobalt Bank"].map((client) => ({
        client,
        authority: "view" as const,
      })),
    },
    {
      email: "mod1@northwind.test",
      name: "Mia Moderator",
      role: "moderator",
      note: "moderator, all clients, respond",
      assignments: ["Hexfall Games", "Brightmart", "Cobalt Bank"].map((client) => ({
        client,
        authority: "respond" as const,
      })),
    },
    {
      email: "mod2@northwind.test",
      name: "Noah Moderator",
      role: "moderator",
      note: "moderator, Hexfall Games only, triage",
      assignments: [{ client: "Hexfall Games", authority: "triage" }],
    },
    {
      email: "mod3@northwind.test",
      name: "Priya Moderator",
      role: "moderator",
      note: "moderator, Hexfall Games and Brightmart, respond",
      assignments: ["Hexfall Games", "Brightmart"].map((client) => ({ client, authority: "respond" as const })),
    },
    {
      email: "mod4@northwind.test",
      name: "Leo Moderator",
      role: "moderator",
      note: "moderator, Brightmart and Cobalt Bank, respond",
      assignments: ["Brightmart", "Cobalt Bank"].map((client) => ({ client, authority: "respond" as const })),
    },
    {
      email: "mod5@northwind.test",
      name: "Sara Moderator",
      role: "moderator",
      note: "moderator, weekends, Hexfall Games and Cobalt Bank, respond",
      assignments: ["Hexfall Games", "Cobalt Bank"].map((client) => ({ client, authority: "respond" as const })),
    },
    {
      email: "stakeholder@hexfall.test",
      name: "Hana Hexfall",
      role: "client_stakeholder",
      note: "Hexfall Games stakeholder: Portal",
      assignments: [{ client: "Hexfall Games", authority: "approve" }],
    },
    {
      email: "stakeholder@cobalt.test",
      name: "Carl Cobalt",
      role: "client_stakeholder",
      note: "Cobalt Bank stakeholder, client admin: Portal",
      assignments: [{ client: "Cobalt Bank", authority: "approve", clientAdmin: true }],
    },
  ] satisfies UserPlan[],
} satisfies AgencyPlan;

const southpaw = {
  name: "Southpaw Agency",
  timeZone: "America/Chicago",
  clients: [{ name: "Lakeside Outfitters", timeZone: "America/Chicago", slug: "lakeside" }] satisfies ClientPlan[],
  users: [
    {
      email: "owner@southpaw.test",
      name: "Sam Southpaw",
      role: "owner",
      note: "another agency (isolation)",
      assignments: [],
    },
  ] satisfies UserPlan[],
} satisfies AgencyPlan;

export async function isDatabaseEmpty(db: Database): Promise<boolean> {
  const [row] = await db.select({ n: count() }).from(agencies);
  return (row?.n ?? 0) === 0;
}

/** Seeds the demo agencies, clients, channels and users. Safe to call on an empty database only. */
export async function seedDemoAgencies(db: Database, options: DemoSeedOptions): Promise<DemoData> {
  const passwordHash = await options.hashPassword(options.demoPassword);
  const data: DemoData = { password: options.demoPassword, logins: [], agencies: [], channels: [] };
  for (const plan of [northwind, southpaw] as AgencyPlan[]) {
    const [agency] = await db
      .insert(agencies)
      .values({
        name: plan.name,
        timeZone: plan.timeZone,
        legalName: plan.legalName ?? null,
        billingAddress: plan.billing?.billingAddress ?? null,
        taxId: plan.billing?.taxId ?? null,
        billingEmail: plan.billing?.billingEmail ?? null,
      })
      .returning();
    if (!agency) throw new Error("agency not created");
    await withTenant(db, { agencyId: agency.id, clientIds: null }, async (tx) => {
      const clientIds = new Map<string, string>();
      let ownerScope: Scope | undefined;
      let moderatorScope: Scope | undefined;
      const moderators: DemoModerator[] = [];
      const seeded: DemoData["agencies"][number] = { id: agency.id, name: agency.name, clients: [] };
      for (const client of plan.clients) {
        const [row] = await tx
          .insert(clients)
          .values({
            agencyId: agency.id,
            name: client.name,
            timeZone: client.timeZone,
            billingAddress: client.billing?.billingAddress ?? null,
            taxId: client.billing?.taxId ?? null,
            billingEmail: client.billing?.billingEmail ?? null,
          })
          .returning();
        if (!row) throw new Error("client not created");
        clientIds.set(client.name, row.id);
        seeded.clients.push({ id: row.id, name: row.name, timeZone: row.timeZone });
        // The sandbox channel carries the demo's traffic (its deliveries succeed, its public page shows them) and
        // `npm run simulate` sends only there; the Facebook page and the community feed are there to connect to real
        // (or fake) platforms, labelled as not connected: with the seed's placeholder token and no callbackUrl, a
        // reply on them could only fail.
        for (const platform of ["sandbox", "generic", "facebook"] as const) {
          const ingestSecret = generateSecret();
          const credentials =
            platform === "facebook"
              ? {
                  appSecret: generateSecret(16),
                  verifyToken: generateSecret(12),
                  pageAccessToken: `demo-${client.slug}-page-token`,
                }
              : undefined;
          const named = {
            sandbox: { externalAccountId: `${client.slug}-sandbox`, displayName: `${client.name} page (Sandbox)` },
            facebook: {
              externalAccountId: `${client.slug}-page`,
              displayName: `${client.name} on Facebook (not connected)`,
            },
            generic: {
              externalAccountId: `${client.slug}-community`,
              displayName: `${client.name} community (not connected)`,
            },
          }[platform];
          const [channel] = await tx
            .insert(channels)
            .values({
              agencyId: agency.id,
              clientId: row.id,
              platform,
              ...named,
              ingestSecretEnc: options.secretBox.encrypt(ingestSecret),
              credentialsEnc: credentials ? options.secretBox.encrypt(JSON.stringify(credentials)) : null,
            })
            .returning();
          if (!channel) throw new Error("channel not created");
          data.channels.push({
            id: channel.id,
            clientId: row.id,
            platform,
            displayName: channel.displayName,
            ingestSecret,
            ...(credentials ? { verifyToken: credentials.verifyToken, appSecret: credentials.appSecret } : {}),
          });
        }
      }
      for (const user of plan.users) {
        const [existing] = await tx
          .select({ id: users.id })
          .from(users)
          .where(sql`lower(${users.email}) = ${user.email}`);
        const userId =
          existing?.id ??
          (await tx.insert(users).values({ email: user.email, name: user.name, passwordHash }).returning())[0]?.id;
        if (!userId) throw new Error("user not created");
        const [membership] = await tx
          .insert(memberships)
          .values({ agencyId: agency.id, userId, role: user.role })
          .returning();
        if (!membership) throw new Error("membership not created");
        if (user.assignments.length > 0) {
          await tx.insert(clientAssignments).values(
            user.assignments.map((a) => ({
              agencyId: agency.id,
              membershipId: membership.id,
              clientId: clientIds.get(a.client) ?? "",
              authority: a.authority,
              clientAdmin: "clientAdmin" in a ? Boolean(a.clientAdmin) : false,
            })),
          );
        }
        data.logins.push({ email: user.email, role: user.role, agency: agency.name, note: user.note });
        // The first owner and the first moderator act in the seed as themselves.
        const scope: Scope = {
          agencyId: agency.id,
          actorId: userId,
          membershipId: membership.id,
          role: user.role,
          clientIds: user.role === "owner" ? null : user.assignments.map((a) => clientIds.get(a.client) ?? ""),
          clientAdminOf: [],
        };
        if (user.role === "owner") ownerScope ??= scope;
        if (user.role === "moderator") {
          moderatorScope ??= scope;
          moderators.push({ email: user.email, userId, membershipId: membership.id, clientIds: scope.clientIds ?? [] });
        }
      }
      // Each client's brand protocol, saved by the agency owner as version 1.
      for (const client of plan.clients) {
        const document = demoProtocols[client.name];
        const clientId = clientIds.get(client.name);
        if (!document || !clientId || !ownerScope) continue;
        await createProtocolVersion(ownerScope, tx, { clientId, document });
      }
      if (plan === northwind && ownerScope && moderatorScope) {
        const made = { clients: seeded.clients, channels: data.channels, now: new Date() };
        await seedDemoBusinessHours(ownerScope, tx, made);
        await seedDemoContracts(ownerScope, tx, made);
        const history = await seedDemoStaffing(ownerScope, tx, { ...made, moderators });
        await seedDemoBilling(ownerScope, tx, { ...made, history, agencyTimeZone: plan.timeZone });
        await seedDemoPlaybooks(ownerScope, tx, made);
        await seedDemoQueue(moderatorScope, tx, made);
      }
      data.agencies.push(seeded);
    });
  }
  return data;
}
