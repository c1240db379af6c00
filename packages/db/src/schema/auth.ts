import { index, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { agencies, users } from "./agencies";
import { id } from "./columns";

/** Session ids are the SHA-256 (hex) of the token in the cookie; the token itself is never stored. */
export const sessions = pgTable(
  "sessions",
  {
    id: text().primaryKey(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    currentAgencyId: uuid().references(() => agencies.id),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index().on(t.userId)],
);

/** Failed sign-ins, keyed `email:<address>` or `ip:<address>`, for rate limiting. */
export const loginFailures = pgTable(
  "login_failures",
  {
    id: id(),
    key: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index().on(t.key, t.createdAt)],
);
