CREATE TYPE "public"."authority" AS ENUM('respond', 'triage', 'view', 'approve');--> statement-breakpoint
CREATE TYPE "public"."role" AS ENUM('owner', 'admin', 'account_manager', 'moderator', 'client_stakeholder');--> statement-breakpoint
CREATE TYPE "public"."client_status" AS ENUM('active', 'archived');--> statement-breakpoint
CREATE TYPE "public"."platform" AS ENUM('facebook', 'instagram', 'x', 'youtube', 'forum', 'reviews', 'generic');--> statement-breakpoint
CREATE TABLE "agencies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"time_zone" text DEFAULT 'UTC' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "memberships" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agency_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"role" "role" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "memberships" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"name" text NOT NULL,
	"password_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agency_id" uuid,
	"client_id" uuid,
	"actor_user_id" uuid,
	"action" text NOT NULL,
	"subject_type" text NOT NULL,
	"subject_id" text,
	"before" jsonb,
	"after" jsonb,
	"protocol_version_id" uuid,
	"ip" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "audit_events" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "login_failures" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"key" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"current_agency_id" uuid,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "channels" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agency_id" uuid NOT NULL,
	"client_id" uuid NOT NULL,
	"platform" "platform" NOT NULL,
	"external_account_id" text NOT NULL,
	"display_name" text NOT NULL,
	"ingest_secret_enc" text NOT NULL,
	"credentials_enc" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "channels" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "client_assignments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agency_id" uuid NOT NULL,
	"membership_id" uuid NOT NULL,
	"client_id" uuid NOT NULL,
	"authority" "authority" NOT NULL,
	"client_admin" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "client_assignments" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "clients" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agency_id" uuid NOT NULL,
	"name" text NOT NULL,
	"time_zone" text NOT NULL,
	"status" "client_status" DEFAULT 'active' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "clients_agency_id_id_key" UNIQUE("agency_id","id")
);
--> statement-breakpoint
ALTER TABLE "clients" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_current_agency_id_agencies_id_fk" FOREIGN KEY ("current_agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channels" ADD CONSTRAINT "channels_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channels" ADD CONSTRAINT "channels_agency_id_client_id_clients_agency_id_id_fk" FOREIGN KEY ("agency_id","client_id") REFERENCES "public"."clients"("agency_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "client_assignments" ADD CONSTRAINT "client_assignments_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "client_assignments" ADD CONSTRAINT "client_assignments_membership_id_memberships_id_fk" FOREIGN KEY ("membership_id") REFERENCES "public"."memberships"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "client_assignments" ADD CONSTRAINT "client_assignments_agency_id_client_id_clients_agency_id_id_fk" FOREIGN KEY ("agency_id","client_id") REFERENCES "public"."clients"("agency_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "clients" ADD CONSTRAINT "clients_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "memberships_agency_user_key" ON "memberships" USING btree ("agency_id","user_id");--> statement-breakpoint
CREATE INDEX "memberships_user_id_index" ON "memberships" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_key" ON "users" USING btree (lower("email"));--> statement-breakpoint
CREATE INDEX "audit_events_agency_id_created_at_index" ON "audit_events" USING btree ("agency_id","created_at");--> statement-breakpoint
CREATE INDEX "audit_events_agency_id_subject_type_subject_id_index" ON "audit_events" USING btree ("agency_id","subject_type","subject_id");--> statement-breakpoint
CREATE INDEX "login_failures_key_created_at_index" ON "login_failures" USING btree ("key","created_at");--> statement-breakpoint
CREATE INDEX "sessions_user_id_index" ON "sessions" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "channels_client_platform_account_key" ON "channels" USING btree ("client_id","platform","external_account_id");--> statement-breakpoint
CREATE INDEX "channels_agency_id_client_id_index" ON "channels" USING btree ("agency_id","client_id");--> statement-breakpoint
CREATE UNIQUE INDEX "client_assignments_membership_client_key" ON "client_assignments" USING btree ("membership_id","client_id");--> statement-breakpoint
CREATE INDEX "client_assignments_agency_id_client_id_index" ON "client_assignments" USING btree ("agency_id","client_id");--> statement-breakpoint
CREATE INDEX "clients_agency_id_index" ON "clients" USING btree ("agency_id");--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "memberships" AS PERMISSIVE FOR ALL TO "parley_app" USING ("memberships"."agency_id" = nullif(current_setting('app.agency_id', true), '')::uuid) WITH CHECK ("memberships"."agency_id" = nullif(current_setting('app.agency_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "own_memberships" ON "memberships" AS PERMISSIVE FOR SELECT TO "parley_app" USING ("memberships"."user_id" = nullif(current_setting('app.user_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_read" ON "audit_events" AS PERMISSIVE FOR SELECT TO "parley_app" USING ("audit_events"."agency_id" = nullif(current_setting('app.agency_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_append" ON "audit_events" AS PERMISSIVE FOR INSERT TO "parley_app" WITH CHECK ("audit_events"."agency_id" is null or "audit_events"."agency_id" = nullif(current_setting('app.agency_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "channels" AS PERMISSIVE FOR ALL TO "parley_app" USING ("channels"."agency_id" = nullif(current_setting('app.agency_id', true), '')::uuid and (nullif(current_setting('app.client_ids', true), '')::uuid[] is null or "channels"."client_id" = any(nullif(current_setting('app.client_ids', true), '')::uuid[]))) WITH CHECK ("channels"."agency_id" = nullif(current_setting('app.agency_id', true), '')::uuid and (nullif(current_setting('app.client_ids', true), '')::uuid[] is null or "channels"."client_id" = any(nullif(current_setting('app.client_ids', true), '')::uuid[])));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "client_assignments" AS PERMISSIVE FOR ALL TO "parley_app" USING ("client_assignments"."agency_id" = nullif(current_setting('app.agency_id', true), '')::uuid and (nullif(current_setting('app.client_ids', true), '')::uuid[] is null or "client_assignments"."client_id" = any(nullif(current_setting('app.client_ids', true), '')::uuid[]))) WITH CHECK ("client_assignments"."agency_id" = nullif(current_setting('app.agency_id', true), '')::uuid and (nullif(current_setting('app.client_ids', true), '')::uuid[] is null or "client_assignments"."client_id" = any(nullif(current_setting('app.client_ids', true), '')::uuid[])));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "clients" AS PERMISSIVE FOR ALL TO "parley_app" USING ("clients"."agency_id" = nullif(current_setting('app.agency_id', true), '')::uuid and (nullif(current_setting('app.client_ids', true), '')::uuid[] is null or "clients"."id" = any(nullif(current_setting('app.client_ids', true), '')::uuid[]))) WITH CHECK ("clients"."agency_id" = nullif(current_setting('app.agency_id', true), '')::uuid and (nullif(current_setting('app.client_ids', true), '')::uuid[] is null or "clients"."id" = any(nullif(current_setting('app.client_ids', true), '')::uuid[])));