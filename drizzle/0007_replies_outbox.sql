CREATE TYPE "public"."delivery_action" AS ENUM('reply', 'hide', 'unhide', 'delete');--> statement-breakpoint
CREATE TYPE "public"."delivery_status" AS ENUM('pending', 'sent', 'failed');--> statement-breakpoint
CREATE TYPE "public"."reply_kind" AS ENUM('reply', 'acknowledgement', 'follow_up');--> statement-breakpoint
CREATE TYPE "public"."reply_status" AS ENUM('draft', 'pending_approval', 'approved', 'rejected', 'sent', 'failed');--> statement-breakpoint
CREATE TABLE "api_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agency_id" uuid NOT NULL,
	"name" text NOT NULL,
	"prefix" text NOT NULL,
	"key_hash" text NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"request_count" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "api_keys" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "item_notes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agency_id" uuid NOT NULL,
	"client_id" uuid NOT NULL,
	"item_id" uuid NOT NULL,
	"author_user_id" uuid NOT NULL,
	"body" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "item_notes" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "outbound_deliveries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agency_id" uuid NOT NULL,
	"client_id" uuid NOT NULL,
	"channel_id" uuid NOT NULL,
	"item_id" uuid NOT NULL,
	"reply_id" uuid,
	"action" "delivery_action" NOT NULL,
	"status" "delivery_status" DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_error" text,
	"result" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "outbound_deliveries" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "replies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agency_id" uuid NOT NULL,
	"client_id" uuid NOT NULL,
	"item_id" uuid NOT NULL,
	"channel_id" uuid NOT NULL,
	"kind" "reply_kind" DEFAULT 'reply' NOT NULL,
	"body" text NOT NULL,
	"status" "reply_status" DEFAULT 'draft' NOT NULL,
	"check_results" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"requires_approval" text DEFAULT 'none' NOT NULL,
	"author_user_id" uuid,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"decision_comment" text,
	"protocol_version_id" uuid,
	"external_id" text,
	"sent_at" timestamp with time zone,
	"failure_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "replies" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "items" ADD COLUMN "tags" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "item_notes" ADD CONSTRAINT "item_notes_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "item_notes" ADD CONSTRAINT "item_notes_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "item_notes" ADD CONSTRAINT "item_notes_author_user_id_users_id_fk" FOREIGN KEY ("author_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "item_notes" ADD CONSTRAINT "item_notes_agency_id_client_id_clients_agency_id_id_fk" FOREIGN KEY ("agency_id","client_id") REFERENCES "public"."clients"("agency_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbound_deliveries" ADD CONSTRAINT "outbound_deliveries_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbound_deliveries" ADD CONSTRAINT "outbound_deliveries_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbound_deliveries" ADD CONSTRAINT "outbound_deliveries_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbound_deliveries" ADD CONSTRAINT "outbound_deliveries_reply_id_replies_id_fk" FOREIGN KEY ("reply_id") REFERENCES "public"."replies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbound_deliveries" ADD CONSTRAINT "outbound_deliveries_agency_id_client_id_clients_agency_id_id_fk" FOREIGN KEY ("agency_id","client_id") REFERENCES "public"."clients"("agency_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "replies" ADD CONSTRAINT "replies_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "replies" ADD CONSTRAINT "replies_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "replies" ADD CONSTRAINT "replies_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "replies" ADD CONSTRAINT "replies_author_user_id_users_id_fk" FOREIGN KEY ("author_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "replies" ADD CONSTRAINT "replies_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "replies" ADD CONSTRAINT "replies_protocol_version_id_protocol_versions_id_fk" FOREIGN KEY ("protocol_version_id") REFERENCES "public"."protocol_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "replies" ADD CONSTRAINT "replies_agency_id_client_id_clients_agency_id_id_fk" FOREIGN KEY ("agency_id","client_id") REFERENCES "public"."clients"("agency_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "api_keys_key_hash_key" ON "api_keys" USING btree ("key_hash");--> statement-breakpoint
CREATE INDEX "api_keys_agency_id_index" ON "api_keys" USING btree ("agency_id");--> statement-breakpoint
CREATE INDEX "item_notes_agency_id_item_id_index" ON "item_notes" USING btree ("agency_id","item_id");--> statement-breakpoint
CREATE INDEX "outbound_deliveries_due_idx" ON "outbound_deliveries" USING btree ("agency_id","next_attempt_at") WHERE "outbound_deliveries"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "outbound_deliveries_agency_id_item_id_index" ON "outbound_deliveries" USING btree ("agency_id","item_id");--> statement-breakpoint
CREATE INDEX "replies_agency_id_item_id_index" ON "replies" USING btree ("agency_id","item_id");--> statement-breakpoint
CREATE INDEX "replies_pending_approval_idx" ON "replies" USING btree ("agency_id","client_id","created_at") WHERE "replies"."status" = 'pending_approval';--> statement-breakpoint
CREATE INDEX "replies_sent_recent_idx" ON "replies" USING btree ("agency_id","client_id","sent_at") WHERE "replies"."status" = 'sent';--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "api_keys" AS PERMISSIVE FOR ALL TO "parley_app" USING ("api_keys"."agency_id" = nullif(current_setting('app.agency_id', true), '')::uuid) WITH CHECK ("api_keys"."agency_id" = nullif(current_setting('app.agency_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "api_key_lookup" ON "api_keys" AS PERMISSIVE FOR SELECT TO "parley_app" USING ("api_keys"."key_hash" = nullif(current_setting('app.api_key_hash', true), ''));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "item_notes" AS PERMISSIVE FOR ALL TO "parley_app" USING ("item_notes"."agency_id" = nullif(current_setting('app.agency_id', true), '')::uuid and (nullif(current_setting('app.client_ids', true), '')::uuid[] is null or "item_notes"."client_id" = any(nullif(current_setting('app.client_ids', true), '')::uuid[]))) WITH CHECK ("item_notes"."agency_id" = nullif(current_setting('app.agency_id', true), '')::uuid and (nullif(current_setting('app.client_ids', true), '')::uuid[] is null or "item_notes"."client_id" = any(nullif(current_setting('app.client_ids', true), '')::uuid[])));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "outbound_deliveries" AS PERMISSIVE FOR ALL TO "parley_app" USING ("outbound_deliveries"."agency_id" = nullif(current_setting('app.agency_id', true), '')::uuid and (nullif(current_setting('app.client_ids', true), '')::uuid[] is null or "outbound_deliveries"."client_id" = any(nullif(current_setting('app.client_ids', true), '')::uuid[]))) WITH CHECK ("outbound_deliveries"."agency_id" = nullif(current_setting('app.agency_id', true), '')::uuid and (nullif(current_setting('app.client_ids', true), '')::uuid[] is null or "outbound_deliveries"."client_id" = any(nullif(current_setting('app.client_ids', true), '')::uuid[])));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "replies" AS PERMISSIVE FOR ALL TO "parley_app" USING ("replies"."agency_id" = nullif(current_setting('app.agency_id', true), '')::uuid and (nullif(current_setting('app.client_ids', true), '')::uuid[] is null or "replies"."client_id" = any(nullif(current_setting('app.client_ids', true), '')::uuid[]))) WITH CHECK ("replies"."agency_id" = nullif(current_setting('app.agency_id', true), '')::uuid and (nullif(current_setting('app.client_ids', true), '')::uuid[] is null or "replies"."client_id" = any(nullif(current_setting('app.client_ids', true), '')::uuid[])));