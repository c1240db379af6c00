CREATE TABLE "queue_tallies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agency_id" uuid NOT NULL,
	"client_id" uuid NOT NULL,
	"status" "item_status" NOT NULL,
	"priority" "priority" NOT NULL,
	"claimed_by" uuid,
	"items" integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE "queue_tallies" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE INDEX "queue_tallies_agency_id_index" ON "queue_tallies" USING btree ("agency_id");--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "queue_tallies" AS PERMISSIVE FOR ALL TO "parley_app" USING ("queue_tallies"."agency_id" = (select nullif(current_setting('app.agency_id', true), '')::uuid) and ((select nullif(current_setting('app.client_ids', true), '')::uuid[]) is null or "queue_tallies"."client_id" = any((select nullif(current_setting('app.client_ids', true), '')::uuid[])::uuid[]))) WITH CHECK ("queue_tallies"."agency_id" = (select nullif(current_setting('app.agency_id', true), '')::uuid) and ((select nullif(current_setting('app.client_ids', true), '')::uuid[]) is null or "queue_tallies"."client_id" = any((select nullif(current_setting('app.client_ids', true), '')::uuid[])::uuid[])));--> statement-breakpoint
CREATE INDEX "sla_clocks_p1_started_idx" ON "sla_clocks" USING btree ("agency_id","client_id","started_at") WHERE "sla_clocks"."metric" = 'first_response' and "sla_clocks"."priority" = 'P1';
--> statement-breakpoint
-- The queue's counts kept as they change (packages/db/src/schema/moderation.ts, `queueTallies`): every change to
-- a queued or claimed item appends what it adds and takes away, so counting reads a few rows, not the queue.
-- Reader and folder: packages/core/src/moderation/queue-counts.ts (`readAgencyQueueCounts`). The functions run
-- as the writer of `items`, under its tenant, so a tally row passes the same row-level security as the item.
CREATE FUNCTION parley_tally_items_arrived() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO queue_tallies (agency_id, client_id, status, priority, claimed_by, items)
  SELECT a.agency_id, a.client_id, a.status, a.priority, CASE WHEN a.status = 'claimed' THEN a.claimed_by END,
    count(*)::int
  FROM arrived AS a WHERE a.status IN ('queued', 'claimed')
  GROUP BY a.agency_id, a.client_id, a.status, a.priority, CASE WHEN a.status = 'claimed' THEN a.claimed_by END;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION parley_tally_item_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- The item leaves its old count (an update or a delete) and joins its new one (an update).
  INSERT INTO queue_tallies (agency_id, client_id, status, priority, claimed_by, items)
  SELECT OLD.agency_id, OLD.client_id, OLD.status, OLD.priority,
    CASE WHEN OLD.status = 'claimed' THEN OLD.claimed_by END, -1
  WHERE OLD.status IN ('queued', 'claimed')
  UNION ALL
  SELECT NEW.agency_id, NEW.client_id, NEW.status, NEW.priority,
    CASE WHEN NEW.status = 'claimed' THEN NEW.claimed_by END, 1
  WHERE TG_OP = 'UPDATE' AND NEW.status IN ('queued', 'claimed');
  RETURN NULL;
END $$;
--> statement-breakpoint
-- Lifted for the first tally, inside this transaction (which holds the table's lock: no write comes between).
ALTER TABLE "items" NO FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE TRIGGER items_tally_arrived AFTER INSERT ON items REFERENCING NEW TABLE AS arrived
  FOR EACH STATEMENT EXECUTE FUNCTION parley_tally_items_arrived();
--> statement-breakpoint
-- Only changes that move an item between counts: most updates of items (a tag, a link) fire nothing.
CREATE TRIGGER items_tally_changed AFTER UPDATE OF status, priority, claimed_by, client_id ON items
  FOR EACH ROW WHEN ((OLD.status IN ('queued', 'claimed') OR NEW.status IN ('queued', 'claimed'))
    AND (OLD.status, OLD.priority, OLD.claimed_by, OLD.client_id)
      IS DISTINCT FROM (NEW.status, NEW.priority, NEW.claimed_by, NEW.client_id))
  EXECUTE FUNCTION parley_tally_item_changed();
--> statement-breakpoint
CREATE TRIGGER items_tally_deleted AFTER DELETE ON items
  FOR EACH ROW WHEN (OLD.status IN ('queued', 'claimed')) EXECUTE FUNCTION parley_tally_item_changed();
--> statement-breakpoint
INSERT INTO queue_tallies (agency_id, client_id, status, priority, claimed_by, items)
SELECT agency_id, client_id, status, priority, CASE WHEN status = 'claimed' THEN claimed_by END, count(*)::int
FROM items WHERE status IN ('queued', 'claimed')
GROUP BY agency_id, client_id, status, priority, CASE WHEN status = 'claimed' THEN claimed_by END;
--> statement-breakpoint
ALTER TABLE "items" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
-- Row-level security applies to the table owner too (grants come from the default privileges of 0002).
ALTER TABLE "queue_tallies" FORCE ROW LEVEL SECURITY;
