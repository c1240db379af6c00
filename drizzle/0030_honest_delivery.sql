ALTER TYPE "public"."platform" ADD VALUE 'sandbox';--> statement-breakpoint
ALTER TYPE "public"."delivery_status" ADD VALUE 'cancelled';--> statement-breakpoint
CREATE TABLE "sandbox_posts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agency_id" uuid NOT NULL,
	"client_id" uuid NOT NULL,
	"channel_id" uuid NOT NULL,
	"external_id" text NOT NULL,
	"parent_external_id" text,
	"author_name" text NOT NULL,
	"by_brand" boolean DEFAULT false NOT NULL,
	"body" text NOT NULL,
	"state" text DEFAULT 'visible' NOT NULL,
	"posted_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "sandbox_posts" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "delivery_failure_streak" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "incident_opened_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "incident_reason" text;--> statement-breakpoint
ALTER TABLE "sandbox_posts" ADD CONSTRAINT "sandbox_posts_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sandbox_posts" ADD CONSTRAINT "sandbox_posts_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sandbox_posts" ADD CONSTRAINT "sandbox_posts_agency_id_client_id_clients_agency_id_id_fk" FOREIGN KEY ("agency_id","client_id") REFERENCES "public"."clients"("agency_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "sandbox_posts_channel_external_key" ON "sandbox_posts" USING btree ("agency_id","channel_id","external_id");--> statement-breakpoint
CREATE INDEX "sandbox_posts_channel_posted_idx" ON "sandbox_posts" USING btree ("agency_id","channel_id","posted_at");--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "sandbox_posts" AS PERMISSIVE FOR ALL TO "parley_app" USING ("sandbox_posts"."agency_id" = (select nullif(current_setting('app.agency_id', true), '')::uuid) and ((select nullif(current_setting('app.client_ids', true), '')::uuid[]) is null or "sandbox_posts"."client_id" = any((select nullif(current_setting('app.client_ids', true), '')::uuid[])::uuid[]))) WITH CHECK ("sandbox_posts"."agency_id" = (select nullif(current_setting('app.agency_id', true), '')::uuid) and ((select nullif(current_setting('app.client_ids', true), '')::uuid[]) is null or "sandbox_posts"."client_id" = any((select nullif(current_setting('app.client_ids', true), '')::uuid[])::uuid[])));