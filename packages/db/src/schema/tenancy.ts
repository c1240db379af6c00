import { type AnyPgColumn, foreignKey, uuid } from "drizzle-orm/pg-core";
import { clients } from "./clients";
import { tenantPolicy } from "./columns";

/**
 * The columns of a row a client owns inside an agency (fresh builders for each table). The agency needs no foreign
 * key of its own: `clientOwnedConstraints` makes (agency, client) one of the agency's clients, and a client's agency
 * exists — one check per row instead of two (ingest writes several such rows per item).
 */
export function clientOwnedColumns() {
  return {
    agencyId: uuid().notNull(),
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
