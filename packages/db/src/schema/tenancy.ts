import { type AnyPgColumn, foreignKey, uuid } from "drizzle-orm/pg-core";
import { agencies } from "./agencies";
import { clients } from "./clients";
import { tenantPolicy } from "./columns";

/** The columns of a row a client owns inside an agency (fresh builders for each table). */
export function clientOwnedColumns() {
  return {
    agencyId: uuid()
      .notNull()
      .references(() => agencies.id),
    clientId: uuid().notNull(),
  };
}

/** The client must belong to the row's agency, and row-level security scopes by both. */
export function clientOwnedConstraints(t: { agencyId: AnyPgColumn; clientId: AnyPgColumn }) {
  return [
    foreignKey({ columns: [t.agencyId, t.clientId], foreignColumns: [clients.agencyId, clients.id] }),
    tenantPolicy(t),
  ];
}
