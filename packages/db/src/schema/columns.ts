import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { type AnyPgColumn, pgPolicy, pgRole, timestamp, uuid } from "drizzle-orm/pg-core";

/** The role the application serves as: not superuser, not owner, NOBYPASSRLS. Created by a custom migration. */
export const appRole = pgRole("parley_app").existing();

/**
 * UUID v7 (time-ordered), made in the app so any PostgreSQL 15+ serves: the 48-bit millisecond time, then the
 * random bits and RFC 9562 variant of a `randomUUID()`, which draws from a cached entropy pool (a `randomBytes`
 * call per id was about a tenth of the server's CPU in a bulk ingest, which makes six ids per item).
 */
export function uuidv7(now = Date.now()): string {
  const time = now.toString(16).padStart(12, "0");
  // randomUUID(): xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx; keep from the version nibble's successor on.
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${randomUUID().slice(15)}`;
}

export const id = () =>
  uuid()
    .primaryKey()
    .default(sql`gen_random_uuid()`)
    .$defaultFn(() => uuidv7());

export const timestamps = {
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
};

// Each wrapped in a scalar subquery: PostgreSQL evaluates it once per statement (an InitPlan) instead of
// parsing the setting again for every row a policy checks. (`any(...)` needs the cast to read the subquery as
// an array rather than as a set of rows.)
export const currentAgency = sql`(select nullif(current_setting('app.agency_id', true), '')::uuid)`;
const currentClientIds = sql`(select nullif(current_setting('app.client_ids', true), '')::uuid[])`;
const currentUser = sql`(select nullif(current_setting('app.user_id', true), '')::uuid)`;

/**
 * Row-level security for a tenant table: rows of the current agency only, and when the scope
 * lists client ids, only rows of those clients. `clientColumn` is the column naming the client
 * (`id` for the clients table itself).
 */
export function tenantPolicy(table: { agencyId: AnyPgColumn; clientId?: AnyPgColumn }, clientColumn?: AnyPgColumn) {
  const client = clientColumn ?? table.clientId;
  const rule = client
    ? sql`${table.agencyId} = ${currentAgency} and (${currentClientIds} is null or ${client} = any(${currentClientIds}::uuid[]))`
    : sql`${table.agencyId} = ${currentAgency}`;
  return pgPolicy("tenant_isolation", { as: "permissive", for: "all", to: appRole, using: rule, withCheck: rule });
}

/** A membership is visible inside its agency, and to its own user across agencies (to pick one). */
export function membershipPolicy(table: { agencyId: AnyPgColumn; userId: AnyPgColumn }) {
  return [
    pgPolicy("tenant_isolation", {
      as: "permissive",
      for: "all",
      to: appRole,
      using: sql`${table.agencyId} = ${currentAgency}`,
      withCheck: sql`${table.agencyId} = ${currentAgency}`,
    }),
    pgPolicy("own_memberships", {
      as: "permissive",
      for: "select",
      to: appRole,
      using: sql`${table.userId} = ${currentUser}`,
    }),
  ];
}
