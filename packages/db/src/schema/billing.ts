import { date, foreignKey, index, jsonb, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { agencies, users } from "./agencies";
import { clients } from "./clients";
import { id, tenantPolicy, timestamps } from "./columns";

/**
 * A client's contract for a validity period of local dates, `[validFrom, validTo)` (validTo null =
 * open-ended). The terms are a `contractTermsInput` document (core/billing), as parsed.
 */
export const contracts = pgTable(
  "contracts",
  {
    id: id(),
    agencyId: uuid()
      .notNull()
      .references(() => agencies.id),
    clientId: uuid().notNull(),
    validFrom: date({ mode: "string" }).notNull(),
    validTo: date({ mode: "string" }),
    currency: text().notNull(),
    terms: jsonb().notNull(),
    createdBy: uuid().references(() => users.id),
    ...timestamps,
  },
  (t) => [
    foreignKey({ columns: [t.agencyId, t.clientId], foreignColumns: [clients.agencyId, clients.id] }),
    index().on(t.agencyId, t.clientId, t.validFrom),
    tenantPolicy(t),
  ],
).enableRLS();
