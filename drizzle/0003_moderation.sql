CREATE TYPE "public"."category_authority" AS ENUM('respond', 'approval', 'triage');--> statement-breakpoint
CREATE TYPE "public"."item_kind" AS ENUM('comment', 'post', 'reply', 'direct_message', 'mention', 'review', 'forum_post');--> statement-breakpoint
CREATE TYPE "public"."item_status" AS ENUM('queued', 'claimed', 'responded', 'hidden', 'deleted', 'no_action', 'escalated', 'resolved');--> statement-breakpoint
CREATE TYPE "public"."moderation_action" AS ENUM('hide', 'delete', 'flag');--> statement-breakpoint
CREATE TYPE "public"."priority" AS ENUM('P1', 'P2', 'P3', 'P4');--> statement-breakpoint
CREATE TABLE "customer_identities" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agency_id" uuid NOT NULL,
	"client_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"channel_id" uuid NOT NULL,
	"platform" "platform" NOT NULL,
	"external_author_id" text NOT NULL,
	"handle" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "customer_identities" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "customers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agency_id" uuid NOT NULL,
	"client_id" uuid NOT NULL,
	"display_name" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "customers" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agency_id" uuid NOT NULL,
	"client_id" uuid NOT NULL,
	"channel_id" uuid NOT NULL,
	"external_id" text NOT NULL,
	"alias_external_id" text,
	"kind" "item_kind" NOT NULL,
	"thread_external_id" text,
	"parent_external_id" text,
	"parent_item_id" uuid,
	"customer_id" uuid,
	"author_external_id" text NOT NULL,
	"author_handle" text NOT NULL,
	"author_display_name" text,
	"body" text NOT NULL,
	"language" text,
	"url" text,
	"created_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"status" "item_status" DEFAULT 'queued' NOT NULL,
	"category_key" text,
	"priority" "priority" DEFAULT 'P3' NOT NULL,
	"risk_flags" text[] DEFAULT '{}'::text[] NOT NULL,
	"authority" "category_authority" DEFAULT 'respond' NOT NULL,
	"moderation_action" "moderation_action",
	"protocol_version_id" uuid,
	"claimed_by" uuid,
	"claim_expires_at" timestamp with time zone,
	"removed_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "items" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "protocol_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agency_id" uuid NOT NULL,
	"client_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"document" jsonb NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"active" boolean DEFAULT false NOT NULL,
	CONSTRAINT "protocol_versions_client_version_key" UNIQUE("client_id","version")
);
--> statement-breakpoint
ALTER TABLE "protocol_versions" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "customer_identities" ADD CONSTRAINT "customer_identities_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_identities" ADD CONSTRAINT "customer_identities_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_identities" ADD CONSTRAINT "customer_identities_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_identities" ADD CONSTRAINT "customer_identities_agency_id_client_id_clients_agency_id_id_fk" FOREIGN KEY ("agency_id","client_id") REFERENCES "public"."clients"("agency_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customers" ADD CONSTRAINT "customers_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customers" ADD CONSTRAINT "customers_agency_id_client_id_clients_agency_id_id_fk" FOREIGN KEY ("agency_id","client_id") REFERENCES "public"."clients"("agency_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "items" ADD CONSTRAINT "items_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "items" ADD CONSTRAINT "items_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "items" ADD CONSTRAINT "items_parent_item_id_items_id_fk" FOREIGN KEY ("parent_item_id") REFERENCES "public"."items"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "items" ADD CONSTRAINT "items_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "items" ADD CONSTRAINT "items_protocol_version_id_protocol_versions_id_fk" FOREIGN KEY ("protocol_version_id") REFERENCES "public"."protocol_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "items" ADD CONSTRAINT "items_claimed_by_users_id_fk" FOREIGN KEY ("claimed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "items" ADD CONSTRAINT "items_agency_id_client_id_clients_agency_id_id_fk" FOREIGN KEY ("agency_id","client_id") REFERENCES "public"."clients"("agency_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "protocol_versions" ADD CONSTRAINT "protocol_versions_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "protocol_versions" ADD CONSTRAINT "protocol_versions_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "protocol_versions" ADD CONSTRAINT "protocol_versions_agency_id_client_id_clients_agency_id_id_fk" FOREIGN KEY ("agency_id","client_id") REFERENCES "public"."clients"("agency_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "customer_identities_client_platform_author_key" ON "customer_identities" USING btree ("client_id","platform","external_author_id");--> statement-breakpoint
CREATE INDEX "customer_identities_agency_id_customer_id_index" ON "customer_identities" USING btree ("agency_id","customer_id");--> statement-breakpoint
CREATE INDEX "customers_agency_id_client_id_index" ON "customers" USING btree ("agency_id","client_id");--> statement-breakpoint
CREATE UNIQUE INDEX "items_agency_channel_external_key" ON "items" USING btree ("agency_id","channel_id","external_id");--> statement-breakpoint
CREATE INDEX "items_claim_queued_idx" ON "items" USING btree ("agency_id","client_id","priority","received_at") WHERE "items"."status" = 'queued';--> statement-breakpoint
CREATE INDEX "items_claim_expired_idx" ON "items" USING btree ("agency_id","client_id","claim_expires_at") WHERE "items"."status" = 'claimed';--> statement-breakpoint
CREATE INDEX "items_unlinked_parent_idx" ON "items" USING btree ("agency_id","channel_id","parent_external_id") WHERE "items"."parent_item_id" is null and "items"."parent_external_id" is not null;--> statement-breakpoint
CREATE INDEX "items_alias_idx" ON "items" USING btree ("agency_id","channel_id","alias_external_id") WHERE "items"."alias_external_id" is not null;--> statement-breakpoint
CREATE INDEX "items_agency_id_channel_id_thread_external_id_index" ON "items" USING btree ("agency_id","channel_id","thread_external_id");--> statement-breakpoint
CREATE INDEX "items_agency_id_customer_id_index" ON "items" USING btree ("agency_id","customer_id");--> statement-breakpoint
CREATE UNIQUE INDEX "protocol_versions_one_active_key" ON "protocol_versions" USING btree ("client_id") WHERE "protocol_versions"."active";--> statement-breakpoint
CREATE INDEX "protocol_versions_agency_id_client_id_index" ON "protocol_versions" USING btree ("agency_id","client_id");--> statement-breakpoint
CREATE POLICY "ingest_lookup" ON "channels" AS PERMISSIVE FOR SELECT TO "parley_app" USING ("channels"."id" = nullif(current_setting('app.ingest_channel_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "customer_identities" AS PERMISSIVE FOR ALL TO "parley_app" USING ("customer_identities"."agency_id" = nullif(current_setting('app.agency_id', true), '')::uuid and (nullif(current_setting('app.client_ids', true), '')::uuid[] is null or "customer_identities"."client_id" = any(nullif(current_setting('app.client_ids', true), '')::uuid[]))) WITH CHECK ("customer_identities"."agency_id" = nullif(current_setting('app.agency_id', true), '')::uuid and (nullif(current_setting('app.client_ids', true), '')::uuid[] is null or "customer_identities"."client_id" = any(nullif(current_setting('app.client_ids', true), '')::uuid[])));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "customers" AS PERMISSIVE FOR ALL TO "parley_app" USING ("customers"."agency_id" = nullif(current_setting('app.agency_id', true), '')::uuid and (nullif(current_setting('app.client_ids', true), '')::uuid[] is null or "customers"."client_id" = any(nullif(current_setting('app.client_ids', true), '')::uuid[]))) WITH CHECK ("customers"."agency_id" = nullif(current_setting('app.agency_id', true), '')::uuid and (nullif(current_setting('app.client_ids', true), '')::uuid[] is null or "customers"."client_id" = any(nullif(current_setting('app.client_ids', true), '')::uuid[])));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "items" AS PERMISSIVE FOR ALL TO "parley_app" USING ("items"."agency_id" = nullif(current_setting('app.agency_id', true), '')::uuid and (nullif(current_setting('app.client_ids', true), '')::uuid[] is null or "items"."client_id" = any(nullif(current_setting('app.client_ids', true), '')::uuid[]))) WITH CHECK ("items"."agency_id" = nullif(current_setting('app.agency_id', true), '')::uuid and (nullif(current_setting('app.client_ids', true), '')::uuid[] is null or "items"."client_id" = any(nullif(current_setting('app.client_ids', true), '')::uuid[])));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "protocol_versions" AS PERMISSIVE FOR ALL TO "parley_app" USING ("protocol_versions"."agency_id" = nullif(current_setting('app.agency_id', true), '')::uuid and (nullif(current_setting('app.client_ids', true), '')::uuid[] is null or "protocol_versions"."client_id" = any(nullif(current_setting('app.client_ids', true), '')::uuid[]))) WITH CHECK ("protocol_versions"."agency_id" = nullif(current_setting('app.agency_id', true), '')::uuid and (nullif(current_setting('app.client_ids', true), '')::uuid[] is null or "protocol_versions"."client_id" = any(nullif(current_setting('app.client_ids', true), '')::uuid[])));