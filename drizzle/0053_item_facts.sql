CREATE TABLE "item_fact_days" (
	"agency_id" uuid NOT NULL,
	"client_id" uuid NOT NULL,
	"day" date NOT NULL,
	"materialized_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "item_fact_days_agency_id_client_id_day_pk" PRIMARY KEY("agency_id","client_id","day")
);
--> statement-breakpoint
ALTER TABLE "item_fact_days" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "item_facts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"agency_id" uuid NOT NULL,
	"client_id" uuid NOT NULL,
	"channel_id" uuid NOT NULL,
	"customer_id" uuid,
	"author_handle" text NOT NULL,
	"category_key" text,
	"tags" text[] NOT NULL,
	"priority" "priority" NOT NULL,
	"status" "item_status" NOT NULL,
	"moderation_action" "moderation_action",
	"created_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"acknowledged_at" timestamp with time zone,
	"useful_answer_at" timestamp with time zone,
	"replies_sent" integer NOT NULL,
	"moderator_ids" uuid[] NOT NULL,
	"first_response_due_at" timestamp with time zone,
	"first_response_at" timestamp with time zone,
	"first_response_standing" text,
	"first_response_seconds" double precision,
	"resolution_due_at" timestamp with time zone,
	"resolved_at" timestamp with time zone,
	"resolution_standing" text,
	"resolution_seconds" double precision,
	"escalated_at" timestamp with time zone,
	"escalation_answered_at" timestamp with time zone,
	"delivery_status" "delivery_status",
	"handled_at" timestamp with time zone,
	"handlers" uuid[] NOT NULL,
	"handling_seconds" double precision,
	"open_until" timestamp with time zone NOT NULL,
	"claim_moderator_ids" uuid[] NOT NULL,
	"claim_seconds" double precision[] NOT NULL,
	"work_moderator_ids" uuid[] NOT NULL,
	"work_hours" timestamp with time zone[] NOT NULL
);
--> statement-breakpoint
ALTER TABLE "item_facts" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE INDEX "item_facts_client_received_idx" ON "item_facts" USING btree ("agency_id","client_id","received_at");--> statement-breakpoint
CREATE INDEX "item_facts_client_open_idx" ON "item_facts" USING btree ("agency_id","client_id","open_until","received_at") WHERE "item_facts"."open_until" > "item_facts"."received_at";--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "item_fact_days" AS PERMISSIVE FOR ALL TO "parley_app" USING ("item_fact_days"."agency_id" = (select nullif(current_setting('app.agency_id', true), '')::uuid) and ((select nullif(current_setting('app.client_ids', true), '')::uuid[]) is null or "item_fact_days"."client_id" = any((select nullif(current_setting('app.client_ids', true), '')::uuid[])::uuid[]))) WITH CHECK ("item_fact_days"."agency_id" = (select nullif(current_setting('app.agency_id', true), '')::uuid) and ((select nullif(current_setting('app.client_ids', true), '')::uuid[]) is null or "item_fact_days"."client_id" = any((select nullif(current_setting('app.client_ids', true), '')::uuid[])::uuid[])));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "item_facts" AS PERMISSIVE FOR ALL TO "parley_app" USING ("item_facts"."agency_id" = (select nullif(current_setting('app.agency_id', true), '')::uuid) and ((select nullif(current_setting('app.client_ids', true), '')::uuid[]) is null or "item_facts"."client_id" = any((select nullif(current_setting('app.client_ids', true), '')::uuid[])::uuid[]))) WITH CHECK ("item_facts"."agency_id" = (select nullif(current_setting('app.agency_id', true), '')::uuid) and ((select nullif(current_setting('app.client_ids', true), '')::uuid[]) is null or "item_facts"."client_id" = any((select nullif(current_setting('app.client_ids', true), '')::uuid[])::uuid[])));--> statement-breakpoint
-- Item facts (packages/db/src/schema/reports.ts; written by core's reports/item-facts.unscoped.ts): a write that
-- changes what a report reads of an item received more than 12 hours ago (the sweep only materializes UTC days that
-- ended a day ago) deletes the item's client-day from `item_fact_days`, so reports build that day's rows from the
-- items again until the sweep writes its facts anew. The writer first takes its client's advisory lock shared, and the
-- sweep takes it exclusively before it reads: a write is either seen by the sweep's read or marks the day it wrote
-- stale after the sweep committed. The functions run as the writer, under its tenant.
CREATE FUNCTION parley_item_facts_lock(client uuid) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
  SELECT hashtextextended('item_facts ' || client::text, 0)
$$;
--> statement-breakpoint
CREATE FUNCTION parley_item_facts_stale(agency uuid, client uuid, received timestamptz) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF received >= now() - interval '12 hours' THEN RETURN; END IF;
  PERFORM pg_advisory_xact_lock_shared(parley_item_facts_lock(client));
  DELETE FROM item_fact_days d
  WHERE d.agency_id = agency AND d.client_id = client AND d.day = (received AT TIME ZONE 'UTC')::date;
END $$;
--> statement-breakpoint
CREATE FUNCTION parley_item_facts_item_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN PERFORM parley_item_facts_stale(OLD.agency_id, OLD.client_id, OLD.received_at); END IF;
  IF TG_OP <> 'DELETE' THEN PERFORM parley_item_facts_stale(NEW.agency_id, NEW.client_id, NEW.received_at); END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- A reply, delivery, clock or escalation of an item: its item's day.
CREATE FUNCTION parley_item_facts_work_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    PERFORM parley_item_facts_stale(i.agency_id, i.client_id, i.received_at) FROM items i
    WHERE i.id = OLD.item_id AND i.agency_id = OLD.agency_id;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    PERFORM parley_item_facts_stale(i.agency_id, i.client_id, i.received_at) FROM items i
    WHERE i.id = NEW.item_id AND i.agency_id = NEW.agency_id;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- Ingest's new items (received now) and their clocks fire nothing: each trigger's WHEN looks at the row alone. The
-- item's columns a report reads, and `claimed_by`: every claim and handling action writes its item (a claim, a
-- release, an expiry or a reassignment its holder or status; a hide, delete or no action its status; a reply queued
-- or sent for approval inserts its reply and clears the claim; an escalation inserts its row), so the audit trail
-- needs no trigger of its own.
CREATE TRIGGER items_facts_arrived AFTER INSERT ON items
  FOR EACH ROW WHEN (NEW.received_at < now() - interval '12 hours' AND NOT NEW.by_brand)
  EXECUTE FUNCTION parley_item_facts_item_changed();
--> statement-breakpoint
CREATE TRIGGER items_facts_changed AFTER UPDATE OF client_id, channel_id, customer_id, author_handle, category_key,
  tags, priority, status, moderation_action, created_at, received_at, by_brand, claimed_by ON items
  FOR EACH ROW WHEN ((OLD.received_at < now() - interval '12 hours' OR NEW.received_at < now() - interval '12 hours')
    AND (OLD.client_id, OLD.channel_id, OLD.customer_id, OLD.author_handle, OLD.category_key, OLD.tags, OLD.priority,
      OLD.status, OLD.moderation_action, OLD.created_at, OLD.received_at, OLD.by_brand, OLD.claimed_by)
    IS DISTINCT FROM (NEW.client_id, NEW.channel_id, NEW.customer_id, NEW.author_handle, NEW.category_key, NEW.tags,
      NEW.priority, NEW.status, NEW.moderation_action, NEW.created_at, NEW.received_at, NEW.by_brand, NEW.claimed_by))
  EXECUTE FUNCTION parley_item_facts_item_changed();
--> statement-breakpoint
CREATE TRIGGER items_facts_deleted AFTER DELETE ON items
  FOR EACH ROW WHEN (OLD.received_at < now() - interval '12 hours') EXECUTE FUNCTION parley_item_facts_item_changed();
--> statement-breakpoint
-- Every new reply (a queued or drafted one is a handling action); a reply's change only where it is or was sent.
CREATE TRIGGER replies_facts_written AFTER INSERT OR DELETE ON replies
  FOR EACH ROW EXECUTE FUNCTION parley_item_facts_work_changed();
--> statement-breakpoint
CREATE TRIGGER replies_facts_changed AFTER UPDATE OF item_id, status, sent_at, kind, author_user_id ON replies
  FOR EACH ROW WHEN ((OLD.status = 'sent' OR NEW.status = 'sent')
    AND (OLD.item_id, OLD.status, OLD.sent_at, OLD.kind, OLD.author_user_id)
    IS DISTINCT FROM (NEW.item_id, NEW.status, NEW.sent_at, NEW.kind, NEW.author_user_id))
  EXECUTE FUNCTION parley_item_facts_work_changed();
--> statement-breakpoint
CREATE TRIGGER outbound_deliveries_facts_written AFTER INSERT OR DELETE ON outbound_deliveries
  FOR EACH ROW EXECUTE FUNCTION parley_item_facts_work_changed();
--> statement-breakpoint
CREATE TRIGGER outbound_deliveries_facts_changed AFTER UPDATE OF item_id, status, created_at ON outbound_deliveries
  FOR EACH ROW WHEN ((OLD.item_id, OLD.status, OLD.created_at) IS DISTINCT FROM (NEW.item_id, NEW.status, NEW.created_at))
  EXECUTE FUNCTION parley_item_facts_work_changed();
--> statement-breakpoint
-- A new item's clocks start when it arrives: only a clock started long ago (a backfill) can touch a settled day.
CREATE TRIGGER sla_clocks_facts_arrived AFTER INSERT ON sla_clocks
  FOR EACH ROW WHEN (NEW.started_at < now() - interval '12 hours') EXECUTE FUNCTION parley_item_facts_work_changed();
--> statement-breakpoint
CREATE TRIGGER sla_clocks_facts_changed AFTER UPDATE OF item_id, started_at, due_at, stopped_at, met, pauses,
  client_side_ms ON sla_clocks
  FOR EACH ROW WHEN ((OLD.item_id, OLD.started_at, OLD.due_at, OLD.stopped_at, OLD.met, OLD.pauses, OLD.client_side_ms)
    IS DISTINCT FROM (NEW.item_id, NEW.started_at, NEW.due_at, NEW.stopped_at, NEW.met, NEW.pauses, NEW.client_side_ms))
  EXECUTE FUNCTION parley_item_facts_work_changed();
--> statement-breakpoint
CREATE TRIGGER escalations_facts_written AFTER INSERT OR DELETE ON escalations
  FOR EACH ROW EXECUTE FUNCTION parley_item_facts_work_changed();
--> statement-breakpoint
CREATE TRIGGER escalations_facts_changed AFTER UPDATE OF item_id, created_at, answered_at ON escalations
  FOR EACH ROW WHEN ((OLD.item_id, OLD.created_at, OLD.answered_at) IS DISTINCT FROM (NEW.item_id, NEW.created_at,
    NEW.answered_at))
  EXECUTE FUNCTION parley_item_facts_work_changed();
--> statement-breakpoint
-- Row-level security applies to the table owner too (grants come from the default privileges of 0002).
ALTER TABLE "item_facts" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "item_fact_days" FORCE ROW LEVEL SECURITY;
