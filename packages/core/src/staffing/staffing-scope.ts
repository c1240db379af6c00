/**
 * What a staffing lead's scope covers: the agency's time zone, the clients they plan (every active client for
 * owners and admins, their assigned clients for account managers — row-level security narrows the same queries),
 * and the moderators who work those clients.
 */
import { AppError } from "@parley/contracts";
import { type Executor, schema } from "@parley/db";
import { and, asc, eq, inArray, ne } from "drizzle-orm";
import type { Scope } from "../kernel/scope";
import { listCalendarVersions } from "../sla/business-hours";
import type { CalendarVersion } from "../sla/clock-terms";

const { agencies, clients, memberships, clientAssignments, users } = schema;

export async function agencyTimeZoneOf(scope: Scope, tx: Executor): Promise<string> {
  const [agency] = await tx
    .select({ timeZone: agencies.timeZone })
    .from(agencies)
    .where(eq(agencies.id, scope.agencyId));
  if (!agency) throw new AppError("NOT_FOUND", "Agency not found", { reason: "agency_not_found" });
  return agency.timeZone;
}

export interface PlannedClient {
  id: string;
  name: string;
  timeZone: string;
  /** The client's business-hours versions (what business-hours targets count), oldest first. */
  calendars: CalendarVersion[];
}

/** The active clients the caller plans, by name. */
export async function plannedClientsOf(
  scope: Pick<Scope, "agencyId" | "clientIds">,
  tx: Executor,
): Promise<PlannedClient[]> {
  const rows = await tx
    .select({ id: clients.id, name: clients.name, timeZone: clients.timeZone })
    .from(clients)
    .where(
      and(
        eq(clients.agencyId, scope.agencyId),
        ne(clients.status, "archived"),
        scope.clientIds ? inArray(clients.id, [...scope.clientIds]) : undefined,
      ),
    )
    .orderBy(asc(clients.name));
  const calendars = await listCalendarVersions(tx, { clientIds: rows.map((row) => row.id) });
  return rows.map((row) => ({ ...row, calendars: calendars.get(row.id) ?? [] }));
}

export interface PlannedModerator {
  membershipId: string;
  userId: string;
  name: string;
  /** The caller's clients this moderator works (respond or triage). */
  clientIds: string[];
}

/** The moderators assigned to any of `clientIds`, by name. */
export async function moderatorsOf(
  scope: Scope,
  tx: Executor,
  clientIds: readonly string[],
): Promise<PlannedModerator[]> {
  if (clientIds.length === 0) return [];
  const rows = await tx
    .select({
      membershipId: memberships.id,
      userId: users.id,
      name: users.name,
      clientId: clientAssignments.clientId,
    })
    .from(clientAssignments)
    .innerJoin(memberships, eq(memberships.id, clientAssignments.membershipId))
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(
      and(
        eq(clientAssignments.agencyId, scope.agencyId),
        eq(memberships.agencyId, scope.agencyId),
        eq(memberships.role, "moderator"),
        inArray(clientAssignments.authority, ["respond", "triage"]),
        inArray(clientAssignments.clientId, [...clientIds]),
      ),
    )
    .orderBy(asc(users.name), asc(memberships.id));
  const byMembership = new Map<string, PlannedModerator>();
  for (const row of rows) {
    const moderator = byMembership.get(row.membershipId) ?? {
      membershipId: row.membershipId,
      userId: row.userId,
      name: row.name,
      clientIds: [],
    };
    moderator.clientIds.push(row.clientId);
    byMembership.set(row.membershipId, moderator);
  }
  return [...byMembership.values()];
}

/**
 * A moderator the caller may roster (one who works any of their clients), or `notFound` (by default: no such
 * moderator) — a row of another moderator's roster is as invisible as the moderator.
 */
export async function getPlannedModerator(
  scope: Scope,
  tx: Executor,
  membershipId: string,
  notFound: () => AppError = () =>
    new AppError("NOT_FOUND", "No moderator of your clients has this membership", { reason: "moderator_not_found" }),
): Promise<PlannedModerator> {
  const clients = await plannedClientsOf(scope, tx);
  const moderators = await moderatorsOf(
    scope,
    tx,
    clients.map((client) => client.id),
  );
  const moderator = moderators.find((candidate) => candidate.membershipId === membershipId);
  if (!moderator) throw notFound();
  return moderator;
}
