CREATE TABLE "report_backlog_cells" (
	"agency_id" uuid NOT NULL,
	"client_id" uuid NOT NULL,
	"day" date NOT NULL,
	"channel_id" uuid NOT NULL,
	"priority" "priority" NOT NULL,
	"open_until_latest" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone[] NOT NULL,
	"open_until" timestamp with time zone[] NOT NULL,
	CONSTRAINT "report_backlog_cells_pk" PRIMARY KEY("agency_id","client_id","day","channel_id","priority")
);
--> statement-breakpoint
ALTER TABLE "report_backlog_cells" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "report_cells" (
	"agency_id" uuid NOT NULL,
	"client_id" uuid NOT NULL,
	"day" date NOT NULL,
	"local_date" date NOT NULL,
	"local_hour" integer NOT NULL,
	"channel_id" uuid NOT NULL,
	"priority" "priority" NOT NULL,
	"in_hours" boolean NOT NULL,
	"items_in" integer NOT NULL,
	"acknowledged_count" integer NOT NULL,
	"useful_answer_count" integer NOT NULL,
	"replies_sent" integer NOT NULL,
	"first_response_count" integer NOT NULL,
	"first_response_met" integer NOT NULL,
	"first_response_breached" integer NOT NULL,
	"first_response_running_due" timestamp with time zone[] NOT NULL,
	"resolution_count" integer NOT NULL,
	"resolution_met" integer NOT NULL,
	"resolution_breached" integer NOT NULL,
	"resolution_running_due" timestamp with time zone[] NOT NULL,
	"hidden" integer NOT NULL,
	"deleted" integer NOT NULL,
	"no_action" integer NOT NULL,
	"escalated" integer NOT NULL,
	"client_answer_count" integer NOT NULL,
	"handled" integer NOT NULL,
	"handling_count" integer NOT NULL,
	"acknowledged_seconds" double precision[] NOT NULL,
	"useful_answer_seconds" double precision[] NOT NULL,
	"first_response_seconds" double precision[] NOT NULL,
	"resolution_seconds" double precision[] NOT NULL,
	"client_answer_seconds" double precision[] NOT NULL,
	"handling_seconds" double precision[] NOT NULL,
	CONSTRAINT "report_cells_pk" PRIMARY KEY("agency_id","client_id","day","local_date","local_hour","channel_id","priority","in_hours")
);
--> statement-breakpoint
ALTER TABLE "report_cells" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "report_moderator_cells" (
	"agency_id" uuid NOT NULL,
	"client_id" uuid NOT NULL,
	"day" date NOT NULL,
	"local_date" date NOT NULL,
	"channel_id" uuid NOT NULL,
	"priority" "priority" NOT NULL,
	"moderator_id" uuid NOT NULL,
	"handled" integer NOT NULL,
	"claim_seconds" double precision[] NOT NULL,
	"work_hours" timestamp with time zone[] NOT NULL,
	CONSTRAINT "report_moderator_cells_pk" PRIMARY KEY("agency_id","client_id","day","local_date","channel_id","priority","moderator_id")
);
--> statement-breakpoint
ALTER TABLE "report_moderator_cells" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE INDEX "report_backlog_cells_open_idx" ON "report_backlog_cells" USING btree ("agency_id","client_id","open_until_latest");--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "report_backlog_cells" AS PERMISSIVE FOR ALL TO "parley_app" USING ("report_backlog_cells"."agency_id" = (select nullif(current_setting('app.agency_id', true), '')::uuid) and ((select nullif(current_setting('app.client_ids', true), '')::uuid[]) is null or "report_backlog_cells"."client_id" = any((select nullif(current_setting('app.client_ids', true), '')::uuid[])::uuid[]))) WITH CHECK ("report_backlog_cells"."agency_id" = (select nullif(current_setting('app.agency_id', true), '')::uuid) and ((select nullif(current_setting('app.client_ids', true), '')::uuid[]) is null or "report_backlog_cells"."client_id" = any((select nullif(current_setting('app.client_ids', true), '')::uuid[])::uuid[])));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "report_cells" AS PERMISSIVE FOR ALL TO "parley_app" USING ("report_cells"."agency_id" = (select nullif(current_setting('app.agency_id', true), '')::uuid) and ((select nullif(current_setting('app.client_ids', true), '')::uuid[]) is null or "report_cells"."client_id" = any((select nullif(current_setting('app.client_ids', true), '')::uuid[])::uuid[]))) WITH CHECK ("report_cells"."agency_id" = (select nullif(current_setting('app.agency_id', true), '')::uuid) and ((select nullif(current_setting('app.client_ids', true), '')::uuid[]) is null or "report_cells"."client_id" = any((select nullif(current_setting('app.client_ids', true), '')::uuid[])::uuid[])));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "report_moderator_cells" AS PERMISSIVE FOR ALL TO "parley_app" USING ("report_moderator_cells"."agency_id" = (select nullif(current_setting('app.agency_id', true), '')::uuid) and ((select nullif(current_setting('app.client_ids', true), '')::uuid[]) is null or "report_moderator_cells"."client_id" = any((select nullif(current_setting('app.client_ids', true), '')::uuid[])::uuid[]))) WITH CHECK ("report_moderator_cells"."agency_id" = (select nullif(current_setting('app.agency_id', true), '')::uuid) and ((select nullif(current_setting('app.client_ids', true), '')::uuid[]) is null or "report_moderator_cells"."client_id" = any((select nullif(current_setting('app.client_ids', true), '')::uuid[])::uuid[])));
--> statement-breakpoint
-- Report cells (packages/db/src/schema/reports.ts) hold each item's local date and hour in its client's time zone when
-- they were written: a change of the zone marks every materialized day of the client stale, so reports build them from
-- the items again until the facts sweep writes their facts and cells anew. Cells are read only for the days listed in
-- `item_fact_days` (migration 0053), whose triggers cover every other change a cell reflects.
CREATE FUNCTION parley_item_facts_zone_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock_shared(parley_item_facts_lock(NEW.id));
  DELETE FROM item_fact_days d WHERE d.agency_id = NEW.agency_id AND d.client_id = NEW.id;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER clients_facts_zone_changed AFTER UPDATE OF time_zone ON clients
  FOR EACH ROW WHEN (OLD.time_zone IS DISTINCT FROM NEW.time_zone) EXECUTE FUNCTION parley_item_facts_zone_changed();
--> statement-breakpoint
-- Row-level security applies to the table owner too (grants come from the default privileges of 0002).
ALTER TABLE "report_cells" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "report_moderator_cells" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "report_backlog_cells" FORCE ROW LEVEL SECURITY;
