CREATE TABLE "topic_digests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agency_id" uuid NOT NULL,
	"client_id" uuid NOT NULL,
	"week_start" date NOT NULL,
	"topics" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"recipients" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "topic_digests" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "topic_digests" ADD CONSTRAINT "topic_digests_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "topic_digests" ADD CONSTRAINT "topic_digests_agency_id_client_id_clients_agency_id_id_fk" FOREIGN KEY ("agency_id","client_id") REFERENCES "public"."clients"("agency_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "topic_digests_client_week_key" ON "topic_digests" USING btree ("agency_id","client_id","week_start");--> statement-breakpoint
CREATE INDEX "topic_digests_agency_id_week_start_index" ON "topic_digests" USING btree ("agency_id","week_start");--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "topic_digests" AS PERMISSIVE FOR ALL TO "parley_app" USING ("topic_digests"."agency_id" = (select nullif(current_setting('app.agency_id', true), '')::uuid) and ((select nullif(current_setting('app.client_ids', true), '')::uuid[]) is null or "topic_digests"."client_id" = any((select nullif(current_setting('app.client_ids', true), '')::uuid[])::uuid[]))) WITH CHECK ("topic_digests"."agency_id" = (select nullif(current_setting('app.agency_id', true), '')::uuid) and ((select nullif(current_setting('app.client_ids', true), '')::uuid[]) is null or "topic_digests"."client_id" = any((select nullif(current_setting('app.client_ids', true), '')::uuid[])::uuid[])));