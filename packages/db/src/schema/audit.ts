import { sql } from "drizzle-orm";
import { index, jsonb, pgPolicy, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { appRole, currentAgency, id } from "./columns";

/**
 * Append-only record of state changes and public actions. The app role may only INSERT and
 * SELECT (granted in a custom migration). Sign-in failures for unknown agencies have no agency.
 */
export const auditEvents = pgTable(
  "audit_events",
  {
    id: id(),
    agencyId: uuid(),
    clientId: uuid(),
    actorUserId: uuid(),
    action: text().notNull(),
    subjectType: text().notNull(),
    subjectId: text(),
    before: jsonb(),
    after: jsonb(),
    protocolVersionId: uuid(),
    ip: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index().on(t.agencyId, t.createdAt),
    // A report's clients' work (claims and handling actions) since its period began.
    index("audit_events_client_created_idx").on(t.agencyId, t.clientId, t.createdAt),
    index().on(t.agencyId, t.subjectType, t.subjectId),
    pgPolicy("tenant_read", {
      as: "permissive",
      for: "select",
      to: appRole,
      using: sql`${t.agencyId} = ${currentAgency}`,
    }),
    pgPolicy("tenant_append", {
      as: "permissive",
      for: "insert",
      to: appRole,
      withCheck: sql`${t.agencyId} is null or ${t.agencyId} = ${currentAgency}`,
    }),
  ],
).enableRLS();
