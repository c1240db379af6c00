import { authorities, roles } from "@parley/contracts";
import { sql } from "drizzle-orm";
import { index, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { id, membershipPolicy, timestamps } from "./columns";

export const roleEnum = pgEnum("role", roles);
export const authorityEnum = pgEnum("authority", authorities);

export const agencies = pgTable("agencies", {
  id: id(),
  name: text().notNull(),
  timeZone: text().notNull().default("UTC"),
  /** Billing details printed on invoices as the seller (snapshotted at finalize); null = not set. */
  legalName: text(),
  /** Postal address, one line per line ("\n"-separated). */
  billingAddress: text(),
  /** VAT number or other tax id, as printed. */
  taxId: text(),
  billingEmail: text(),
  /**
   * The agency's default SLA policy: the clock targets (`[{ priority, metric, minutes, calendar }]`) of clients
   * without a contract in force. Edited by an owner or admin (core/sla `saveSlaPolicy`).
   */
  slaPolicy: jsonb()
    .notNull()
    .default(
      sql`'[{"priority":"P1","metric":"first_response","minutes":15,"calendar":"24x7"},{"priority":"P1","metric":"resolution","minutes":240,"calendar":"24x7"},{"priority":"P2","metric":"first_response","minutes":60,"calendar":"business_hours"},{"priority":"P2","metric":"resolution","minutes":480,"calendar":"business_hours"},{"priority":"P3","metric":"first_response","minutes":240,"calendar":"business_hours"},{"priority":"P3","metric":"resolution","minutes":1440,"calendar":"business_hours"},{"priority":"P4","metric":"first_response","minutes":480,"calendar":"business_hours"},{"priority":"P4","metric":"resolution","minutes":2880,"calendar":"business_hours"}]'::jsonb`,
    ),
  ...timestamps,
});

export const users = pgTable(
  "users",
  {
    id: id(),
    email: text().notNull(),
    name: text().notNull(),
    passwordHash: text().notNull(),
    ...timestamps,
  },
  (t) => [uniqueIndex("users_email_key").on(sql`lower(${t.email})`)],
);

export const memberships = pgTable(
  "memberships",
  {
    id: id(),
    agencyId: uuid()
      .notNull()
      .references(() => agencies.id),
    userId: uuid()
      .notNull()
      .references(() => users.id),
    role: roleEnum().notNull(),
    /** The member's console was last connected (the live event stream's heartbeat): who is online on the floor. */
    lastSeenAt: timestamp({ withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("memberships_agency_user_key").on(t.agencyId, t.userId),
    index().on(t.userId),
    ...membershipPolicy(t),
  ],
).enableRLS();
