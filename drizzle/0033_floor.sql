CREATE TABLE "volume_spikes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agency_id" uuid NOT NULL,
	"client_id" uuid NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone,
	"usual_per_hour" double precision NOT NULL,
	"start_rate_per_hour" double precision NOT NULL,
	"peak_rate_per_hour" double precision NOT NULL,
	"last_rate_per_hour" double precision NOT NULL,
	"items" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "volume_spikes" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "memberships" ADD COLUMN "last_seen_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "volume_spikes" ADD CONSTRAINT "volume_spikes_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "volume_spikes" ADD CONSTRAINT "volume_spikes_agency_id_client_id_clients_agency_id_id_fk" FOREIGN KEY ("agency_id","client_id") REFERENCES "public"."clients"("agency_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "volume_spikes_open_key" ON "volume_spikes" USING btree ("agency_id","client_id") WHERE "volume_spikes"."ended_at" is null;--> statement-breakpoint
CREATE INDEX "volume_spikes_agency_id_started_at_index" ON "volume_spikes" USING btree ("agency_id","started_at");--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "volume_spikes" AS PERMISSIVE FOR ALL TO "parley_app" USING ("volume_spikes"."agency_id" = (select nullif(current_setting('app.agency_id', true), '')::uuid) and ((select nullif(current_setting('app.client_ids', true), '')::uuid[]) is null or "volume_spikes"."client_id" = any((select nullif(current_setting('app.client_ids', true), '')::uuid[])::uuid[]))) WITH CHECK ("volume_spikes"."agency_id" = (select nullif(current_setting('app.agency_id', true), '')::uuid) and ((select nullif(current_setting('app.client_ids', true), '')::uuid[]) is null or "volume_spikes"."client_id" = any((select nullif(current_setting('app.client_ids', true), '')::uuid[])::uuid[])));