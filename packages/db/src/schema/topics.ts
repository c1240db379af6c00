import { sql } from "drizzle-orm";
import { date, index, integer, jsonb, pgTable, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { id } from "./columns";
import { clientOwnedColumns, clientOwnedConstraints } from "./tenancy";

/**
 * The weekly digest of a client's rising topics, one per client and week: the row is written in the transaction
 * that notifies the stakeholders, so the unique key makes the digest go out once however many processes or
 * restarts try (core/reports, `sendTopicDigest`).
 */
export const topicDigests = pgTable(
  "topic_digests",
  {
    id: id(),
    ...clientOwnedColumns(),
    /** The Monday of the local week the digest covers (the client's zone). */
    weekStart: date().notNull(),
    /** The rising topics as sent: key, label, volume, trend, new this week, examples. */
    topics: jsonb().notNull().default(sql`'[]'::jsonb`),
    /** Stakeholders notified (0: nothing rose, or nobody to tell). */
    recipients: integer().notNull().default(0),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    ...clientOwnedConstraints(t),
    uniqueIndex("topic_digests_client_week_key").on(t.agencyId, t.clientId, t.weekStart),
    index().on(t.agencyId, t.weekStart),
  ],
).enableRLS();
