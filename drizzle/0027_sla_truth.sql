CREATE TYPE "public"."calendar_kind" AS ENUM('24x7', 'business_hours');--> statement-breakpoint
CREATE TABLE "business_calendars" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agency_id" uuid NOT NULL,
	"client_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"effective_from" date NOT NULL,
	"effective_at" timestamp with time zone NOT NULL,
	"calendar" jsonb,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "business_calendars" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "agencies" ADD COLUMN "sla_policy" jsonb DEFAULT '[{"priority":"P1","metric":"first_response","minutes":15,"calendar":"24x7"},{"priority":"P1","metric":"resolution","minutes":240,"calendar":"24x7"},{"priority":"P2","metric":"first_response","minutes":60,"calendar":"business_hours"},{"priority":"P2","metric":"resolution","minutes":480,"calendar":"business_hours"},{"priority":"P3","metric":"first_response","minutes":240,"calendar":"business_hours"},{"priority":"P3","metric":"resolution","minutes":1440,"calendar":"business_hours"},{"priority":"P4","metric":"first_response","minutes":480,"calendar":"business_hours"},{"priority":"P4","metric":"resolution","minutes":2880,"calendar":"business_hours"}]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "sla_clocks" ADD COLUMN "calendar_kind" "calendar_kind" DEFAULT '24x7' NOT NULL;--> statement-breakpoint
ALTER TABLE "sla_clocks" ADD COLUMN "calendar_version_id" uuid;--> statement-breakpoint
ALTER TABLE "sla_clocks" ADD COLUMN "contract_id" uuid;--> statement-breakpoint
ALTER TABLE "business_calendars" ADD CONSTRAINT "business_calendars_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "business_calendars" ADD CONSTRAINT "business_calendars_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "business_calendars" ADD CONSTRAINT "business_calendars_agency_id_client_id_clients_agency_id_id_fk" FOREIGN KEY ("agency_id","client_id") REFERENCES "public"."clients"("agency_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "business_calendars_client_version_key" ON "business_calendars" USING btree ("client_id","version");--> statement-breakpoint
CREATE INDEX "business_calendars_client_effective_idx" ON "business_calendars" USING btree ("agency_id","client_id","effective_at");--> statement-breakpoint
ALTER TABLE "sla_clocks" ADD CONSTRAINT "sla_clocks_calendar_version_id_business_calendars_id_fk" FOREIGN KEY ("calendar_version_id") REFERENCES "public"."business_calendars"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sla_clocks" ADD CONSTRAINT "sla_clocks_contract_id_contracts_id_fk" FOREIGN KEY ("contract_id") REFERENCES "public"."contracts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "business_calendars" AS PERMISSIVE FOR ALL TO "parley_app" USING ("business_calendars"."agency_id" = (select nullif(current_setting('app.agency_id', true), '')::uuid) and ((select nullif(current_setting('app.client_ids', true), '')::uuid[]) is null or "business_calendars"."client_id" = any((select nullif(current_setting('app.client_ids', true), '')::uuid[])::uuid[]))) WITH CHECK ("business_calendars"."agency_id" = (select nullif(current_setting('app.agency_id', true), '')::uuid) and ((select nullif(current_setting('app.client_ids', true), '')::uuid[]) is null or "business_calendars"."client_id" = any((select nullif(current_setting('app.client_ids', true), '')::uuid[])::uuid[])));