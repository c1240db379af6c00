import { boolean, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { channels } from "./clients";
import { id, timestamps } from "./columns";
import { clientOwnedColumns, clientOwnedConstraints } from "./tenancy";

export const sandboxPostStates = ["visible", "hidden", "deleted"] as const;

/**
 * What the sandbox platform holds: a sandbox channel's public page as its customers see it — their comments and
 * the brand's replies (posted by Parley's deliveries), each visible, hidden or deleted. Parley's items are its
 * copy of these, received like any platform's webhook.
 */
export const sandboxPosts = pgTable(
  "sandbox_posts",
  {
    id: id(),
    ...clientOwnedColumns(),
    channelId: uuid()
      .notNull()
      .references(() => channels.id),
    /** The sandbox's id for the post (Parley's item external id). */
    externalId: text().notNull(),
    /** The post this one answers; null for a top-level comment. */
    parentExternalId: text(),
    authorName: text().notNull(),
    byBrand: boolean().notNull().default(false),
    body: text().notNull(),
    state: text({ enum: sandboxPostStates }).notNull().default("visible"),
    postedAt: timestamp({ withTimezone: true }).notNull(),
    ...timestamps,
  },
  (t) => [
    ...clientOwnedConstraints(t),
    // The one index on a channel's posts: a delivery finds its post by external id here. A second one led by the
    // channel (for the page's order by time) won the plan while the spike grew the table faster than its statistics,
    // and each delivery filtered every post of the channel (3,228 buffers a look-up); the page sorts instead.
    uniqueIndex("sandbox_posts_channel_external_key").on(t.agencyId, t.channelId, t.externalId),
  ],
).enableRLS();
