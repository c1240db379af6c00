import { sql } from "drizzle-orm";
import { doublePrecision, index, integer, pgTable, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { id, timestamps } from "./columns";
import { clientOwnedColumns, clientOwnedConstraints } from "./tenancy";

/**
 * A surge in a client's incoming items against its usual rate for that hour of the week (core/floor's spike rule):
 * open while `endedAt` is null — at most one open per client, which is what makes two processes running the
 * detection raise one alert per spike. Rates are items per hour.
 */
export const volumeSpikes = pgTable(
  "volume_spikes",
  {
    id: id(),
    ...clientOwnedColumns(),
    startedAt: timestamp({ withTimezone: true }).notNull(),
    endedAt: timestamp({ withTimezone: true }),
    /**
     * The usual rate (the arrivals forecast) over the detection window of the latest look, as `lastRatePerHour` is
     * that look's rate: a spike that runs into a busier or quieter hour of the week is judged, and shown, against it.
     */
    usualPerHour: doublePrecision().notNull(),
    /** The rate over the detection window when it started, and the highest seen while open. */
    startRatePerHour: doublePrecision().notNull(),
    peakRatePerHour: doublePrecision().notNull(),
    /** The rate at the latest look (while open), or when it ended. */
    lastRatePerHour: doublePrecision().notNull(),
    /**
     * Items received from the window that started it: while open, up to the start of the spike's minute at the
     * latest look (`spikeItemsCountedTo`; recounted once a minute, the floor adds the items since), and up to its end
     * once ended.
     */
    items: integer().notNull().default(0),
    ...timestamps,
  },
  (t) => [
    ...clientOwnedConstraints(t),
    uniqueIndex("volume_spikes_open_key").on(t.agencyId, t.clientId).where(sql`${t.endedAt} is null`),
    index().on(t.agencyId, t.startedAt),
  ],
).enableRLS();
