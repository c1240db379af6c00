CREATE TYPE "public"."roster_exception_kind" AS ENUM('absence', 'extra');--> statement-breakpoint
CREATE TABLE "planned_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agency_id" uuid NOT NULL,
	"client_id" uuid NOT NULL,
	"name" text NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"duration_minutes" integer NOT NULL,
	"multiplier" numeric(7, 2) NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "planned_events_duration_check" CHECK ("planned_events"."duration_minutes" > 0),
	CONSTRAINT "planned_events_multiplier_check" CHECK ("planned_events"."multiplier" >= 0)
);
--> statement-breakpoint
ALTER TABLE "planned_events" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "roster_exceptions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agency_id" uuid NOT NULL,
	"membership_id" uuid NOT NULL,
	"kind" "roster_exception_kind" NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"note" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "roster_exceptions_range_check" CHECK ("roster_exceptions"."ends_at" > "roster_exceptions"."starts_at")
);
--> statement-breakpoint
ALTER TABLE "roster_exceptions" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "roster_shifts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agency_id" uuid NOT NULL,
	"membership_id" uuid NOT NULL,
	"weekday" smallint NOT NULL,
	"start_minute" smallint NOT NULL,
	"end_minute" smallint NOT NULL,
	"starts_on" date NOT NULL,
	"ends_on" date,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "roster_shifts_weekday_check" CHECK ("roster_shifts"."weekday" between 0 and 6),
	CONSTRAINT "roster_shifts_minutes_check" CHECK ("roster_shifts"."start_minute" between 0 and 1439 and "roster_shifts"."end_minute" between 1 and 1440),
	CONSTRAINT "roster_shifts_dates_check" CHECK ("roster_shifts"."ends_on" is null or "roster_shifts"."ends_on" > "roster_shifts"."starts_on")
);
--> statement-breakpoint
ALTER TABLE "roster_shifts" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "staffing_settings" (
	"agency_id" uuid PRIMARY KEY NOT NULL,
	"max_occupancy_percent" integer NOT NULL,
	"shrinkage_percent" integer NOT NULL,
	"fallback_aht_seconds" integer NOT NULL,
	"triage_aht_seconds" integer NOT NULL,
	"updated_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "staffing_settings_max_occupancy_check" CHECK ("staffing_settings"."max_occupancy_percent" between 1 and 100),
	CONSTRAINT "staffing_settings_shrinkage_check" CHECK ("staffing_settings"."shrinkage_percent" between 0 and 99),
	CONSTRAINT "staffing_settings_aht_check" CHECK ("staffing_settings"."fallback_aht_seconds" > 0 and "staffing_settings"."triage_aht_seconds" > 0)
);
--> statement-breakpoint
ALTER TABLE "staffing_settings" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "planned_events" ADD CONSTRAINT "planned_events_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "planned_events" ADD CONSTRAINT "planned_events_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "planned_events" ADD CONSTRAINT "planned_events_agency_id_client_id_clients_agency_id_id_fk" FOREIGN KEY ("agency_id","client_id") REFERENCES "public"."clients"("agency_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "roster_exceptions" ADD CONSTRAINT "roster_exceptions_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "roster_exceptions" ADD CONSTRAINT "roster_exceptions_membership_id_memberships_id_fk" FOREIGN KEY ("membership_id") REFERENCES "public"."memberships"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "roster_exceptions" ADD CONSTRAINT "roster_exceptions_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "roster_shifts" ADD CONSTRAINT "roster_shifts_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "roster_shifts" ADD CONSTRAINT "roster_shifts_membership_id_memberships_id_fk" FOREIGN KEY ("membership_id") REFERENCES "public"."memberships"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "roster_shifts" ADD CONSTRAINT "roster_shifts_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staffing_settings" ADD CONSTRAINT "staffing_settings_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staffing_settings" ADD CONSTRAINT "staffing_settings_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "planned_events_agency_id_starts_at_index" ON "planned_events" USING btree ("agency_id","starts_at");--> statement-breakpoint
CREATE INDEX "roster_exceptions_agency_id_starts_at_index" ON "roster_exceptions" USING btree ("agency_id","starts_at");--> statement-breakpoint
CREATE INDEX "roster_shifts_agency_id_membership_id_index" ON "roster_shifts" USING btree ("agency_id","membership_id");--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "planned_events" AS PERMISSIVE FOR ALL TO "parley_app" USING ("planned_events"."agency_id" = (select nullif(current_setting('app.agency_id', true), '')::uuid) and ((select nullif(current_setting('app.client_ids', true), '')::uuid[]) is null or "planned_events"."client_id" = any((select nullif(current_setting('app.client_ids', true), '')::uuid[])::uuid[]))) WITH CHECK ("planned_events"."agency_id" = (select nullif(current_setting('app.agency_id', true), '')::uuid) and ((select nullif(current_setting('app.client_ids', true), '')::uuid[]) is null or "planned_events"."client_id" = any((select nullif(current_setting('app.client_ids', true), '')::uuid[])::uuid[])));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "roster_exceptions" AS PERMISSIVE FOR ALL TO "parley_app" USING ("roster_exceptions"."agency_id" = (select nullif(current_setting('app.agency_id', true), '')::uuid)) WITH CHECK ("roster_exceptions"."agency_id" = (select nullif(current_setting('app.agency_id', true), '')::uuid));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "roster_shifts" AS PERMISSIVE FOR ALL TO "parley_app" USING ("roster_shifts"."agency_id" = (select nullif(current_setting('app.agency_id', true), '')::uuid)) WITH CHECK ("roster_shifts"."agency_id" = (select nullif(current_setting('app.agency_id', true), '')::uuid));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "staffing_settings" AS PERMISSIVE FOR ALL TO "parley_app" USING ("staffing_settings"."agency_id" = (select nullif(current_setting('app.agency_id', true), '')::uuid)) WITH CHECK ("staffing_settings"."agency_id" = (select nullif(current_setting('app.agency_id', true), '')::uuid));