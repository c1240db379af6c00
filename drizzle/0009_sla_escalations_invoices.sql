CREATE TYPE "public"."invoice_kind" AS ENUM('invoice', 'credit_note');--> statement-breakpoint
CREATE TYPE "public"."invoice_status" AS ENUM('draft', 'finalized');--> statement-breakpoint
CREATE TYPE "public"."payment_status" AS ENUM('none', 'open', 'paid', 'void', 'uncollectible');--> statement-breakpoint
CREATE TYPE "public"."clock_metric" AS ENUM('first_response', 'resolution');--> statement-breakpoint
CREATE TYPE "public"."escalation_status" AS ENUM('open', 'acknowledged', 'resolved', 'cancelled');--> statement-breakpoint
CREATE TABLE "invoice_lines" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agency_id" uuid NOT NULL,
	"client_id" uuid NOT NULL,
	"invoice_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"kind" text NOT NULL,
	"description" text NOT NULL,
	"quantity" integer NOT NULL,
	"unit_price_minor" numeric(20, 4) NOT NULL,
	"amount_minor" bigint NOT NULL,
	"evidence" jsonb
);
--> statement-breakpoint
ALTER TABLE "invoice_lines" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "invoice_number_counters" (
	"agency_id" uuid PRIMARY KEY NOT NULL,
	"next_number" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "invoice_number_counters" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "invoices" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agency_id" uuid NOT NULL,
	"client_id" uuid NOT NULL,
	"contract_id" uuid,
	"kind" "invoice_kind" DEFAULT 'invoice' NOT NULL,
	"status" "invoice_status" DEFAULT 'draft' NOT NULL,
	"period_start" date NOT NULL,
	"period_end" date NOT NULL,
	"currency" text NOT NULL,
	"fees_minor" bigint DEFAULT 0 NOT NULL,
	"credits_minor" bigint DEFAULT 0 NOT NULL,
	"total_minor" bigint DEFAULT 0 NOT NULL,
	"snapshot" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"number" text,
	"corrects_invoice_id" uuid,
	"finalized_at" timestamp with time zone,
	"finalized_by" uuid,
	"stripe_invoice_id" text,
	"payment_status" "payment_status" DEFAULT 'none' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "invoices" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "escalations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agency_id" uuid NOT NULL,
	"client_id" uuid NOT NULL,
	"item_id" uuid NOT NULL,
	"customer_id" uuid,
	"playbook_id" uuid,
	"level" integer DEFAULT 0 NOT NULL,
	"status" "escalation_status" DEFAULT 'open' NOT NULL,
	"packet" jsonb NOT NULL,
	"workflow_state" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"level_started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"answer" text,
	"answered_by" uuid,
	"answered_at" timestamp with time zone,
	"resolved_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "escalations" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "notifications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agency_id" uuid NOT NULL,
	"client_id" uuid NOT NULL,
	"recipient_user_id" uuid,
	"kind" text NOT NULL,
	"subject_type" text NOT NULL,
	"subject_id" uuid NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"read_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "notifications" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "playbooks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agency_id" uuid NOT NULL,
	"client_id" uuid NOT NULL,
	"name" text NOT NULL,
	"document" jsonb NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "playbooks" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "sla_clocks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agency_id" uuid NOT NULL,
	"client_id" uuid NOT NULL,
	"item_id" uuid NOT NULL,
	"metric" "clock_metric" NOT NULL,
	"target_minutes" integer NOT NULL,
	"calendar" jsonb NOT NULL,
	"at_risk_ratio" text DEFAULT '0.8' NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"at_risk_at" timestamp with time zone NOT NULL,
	"pauses" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"client_side_ms" bigint DEFAULT 0 NOT NULL,
	"stopped_at" timestamp with time zone,
	"at_risk_recorded_at" timestamp with time zone,
	"breached_at" timestamp with time zone,
	"met" boolean,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "sla_clocks" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "workflow_wakeups" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agency_id" uuid NOT NULL,
	"client_id" uuid NOT NULL,
	"flow" text NOT NULL,
	"subject_id" uuid NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"waiting_for" text,
	"locked_until" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "workflow_wakeups" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "clients" ADD COLUMN "business_calendar" jsonb;--> statement-breakpoint
ALTER TABLE "clients" ADD COLUMN "stripe_customer_id" text;--> statement-breakpoint
ALTER TABLE "invoice_lines" ADD CONSTRAINT "invoice_lines_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoice_lines" ADD CONSTRAINT "invoice_lines_invoice_id_invoices_id_fk" FOREIGN KEY ("invoice_id") REFERENCES "public"."invoices"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoice_lines" ADD CONSTRAINT "invoice_lines_agency_id_client_id_clients_agency_id_id_fk" FOREIGN KEY ("agency_id","client_id") REFERENCES "public"."clients"("agency_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoice_number_counters" ADD CONSTRAINT "invoice_number_counters_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_contract_id_contracts_id_fk" FOREIGN KEY ("contract_id") REFERENCES "public"."contracts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_corrects_invoice_id_invoices_id_fk" FOREIGN KEY ("corrects_invoice_id") REFERENCES "public"."invoices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_finalized_by_users_id_fk" FOREIGN KEY ("finalized_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_agency_id_client_id_clients_agency_id_id_fk" FOREIGN KEY ("agency_id","client_id") REFERENCES "public"."clients"("agency_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "escalations" ADD CONSTRAINT "escalations_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "escalations" ADD CONSTRAINT "escalations_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "escalations" ADD CONSTRAINT "escalations_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "escalations" ADD CONSTRAINT "escalations_playbook_id_playbooks_id_fk" FOREIGN KEY ("playbook_id") REFERENCES "public"."playbooks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "escalations" ADD CONSTRAINT "escalations_answered_by_users_id_fk" FOREIGN KEY ("answered_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "escalations" ADD CONSTRAINT "escalations_agency_id_client_id_clients_agency_id_id_fk" FOREIGN KEY ("agency_id","client_id") REFERENCES "public"."clients"("agency_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_recipient_user_id_users_id_fk" FOREIGN KEY ("recipient_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_agency_id_client_id_clients_agency_id_id_fk" FOREIGN KEY ("agency_id","client_id") REFERENCES "public"."clients"("agency_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "playbooks" ADD CONSTRAINT "playbooks_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "playbooks" ADD CONSTRAINT "playbooks_agency_id_client_id_clients_agency_id_id_fk" FOREIGN KEY ("agency_id","client_id") REFERENCES "public"."clients"("agency_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sla_clocks" ADD CONSTRAINT "sla_clocks_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sla_clocks" ADD CONSTRAINT "sla_clocks_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sla_clocks" ADD CONSTRAINT "sla_clocks_agency_id_client_id_clients_agency_id_id_fk" FOREIGN KEY ("agency_id","client_id") REFERENCES "public"."clients"("agency_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workflow_wakeups" ADD CONSTRAINT "workflow_wakeups_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workflow_wakeups" ADD CONSTRAINT "workflow_wakeups_agency_id_client_id_clients_agency_id_id_fk" FOREIGN KEY ("agency_id","client_id") REFERENCES "public"."clients"("agency_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "invoice_lines_invoice_position_key" ON "invoice_lines" USING btree ("invoice_id","position");--> statement-breakpoint
CREATE UNIQUE INDEX "invoices_agency_number_key" ON "invoices" USING btree ("agency_id","number") WHERE "invoices"."number" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "invoices_one_draft_per_period_key" ON "invoices" USING btree ("client_id","period_start","kind") WHERE "invoices"."status" = 'draft';--> statement-breakpoint
CREATE INDEX "invoices_agency_id_client_id_period_start_index" ON "invoices" USING btree ("agency_id","client_id","period_start");--> statement-breakpoint
CREATE INDEX "escalations_agency_id_client_id_status_index" ON "escalations" USING btree ("agency_id","client_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "escalations_open_item_key" ON "escalations" USING btree ("item_id") WHERE "escalations"."status" in ('open', 'acknowledged');--> statement-breakpoint
CREATE INDEX "notifications_agency_id_recipient_user_id_created_at_index" ON "notifications" USING btree ("agency_id","recipient_user_id","created_at");--> statement-breakpoint
CREATE INDEX "playbooks_agency_id_client_id_index" ON "playbooks" USING btree ("agency_id","client_id");--> statement-breakpoint
CREATE UNIQUE INDEX "sla_clocks_item_metric_key" ON "sla_clocks" USING btree ("item_id","metric");--> statement-breakpoint
CREATE INDEX "sla_clocks_running_idx" ON "sla_clocks" USING btree ("agency_id","due_at") WHERE "sla_clocks"."stopped_at" is null;--> statement-breakpoint
CREATE INDEX "sla_clocks_agency_id_client_id_started_at_index" ON "sla_clocks" USING btree ("agency_id","client_id","started_at");--> statement-breakpoint
CREATE UNIQUE INDEX "workflow_wakeups_flow_subject_key" ON "workflow_wakeups" USING btree ("flow","subject_id");--> statement-breakpoint
CREATE INDEX "workflow_wakeups_due_idx" ON "workflow_wakeups" USING btree ("agency_id","due_at");--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "invoice_lines" AS PERMISSIVE FOR ALL TO "parley_app" USING ("invoice_lines"."agency_id" = nullif(current_setting('app.agency_id', true), '')::uuid and (nullif(current_setting('app.client_ids', true), '')::uuid[] is null or "invoice_lines"."client_id" = any(nullif(current_setting('app.client_ids', true), '')::uuid[]))) WITH CHECK ("invoice_lines"."agency_id" = nullif(current_setting('app.agency_id', true), '')::uuid and (nullif(current_setting('app.client_ids', true), '')::uuid[] is null or "invoice_lines"."client_id" = any(nullif(current_setting('app.client_ids', true), '')::uuid[])));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "invoice_number_counters" AS PERMISSIVE FOR ALL TO "parley_app" USING ("invoice_number_counters"."agency_id" = nullif(current_setting('app.agency_id', true), '')::uuid) WITH CHECK ("invoice_number_counters"."agency_id" = nullif(current_setting('app.agency_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "invoices" AS PERMISSIVE FOR ALL TO "parley_app" USING ("invoices"."agency_id" = nullif(current_setting('app.agency_id', true), '')::uuid and (nullif(current_setting('app.client_ids', true), '')::uuid[] is null or "invoices"."client_id" = any(nullif(current_setting('app.client_ids', true), '')::uuid[]))) WITH CHECK ("invoices"."agency_id" = nullif(current_setting('app.agency_id', true), '')::uuid and (nullif(current_setting('app.client_ids', true), '')::uuid[] is null or "invoices"."client_id" = any(nullif(current_setting('app.client_ids', true), '')::uuid[])));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "escalations" AS PERMISSIVE FOR ALL TO "parley_app" USING ("escalations"."agency_id" = nullif(current_setting('app.agency_id', true), '')::uuid and (nullif(current_setting('app.client_ids', true), '')::uuid[] is null or "escalations"."client_id" = any(nullif(current_setting('app.client_ids', true), '')::uuid[]))) WITH CHECK ("escalations"."agency_id" = nullif(current_setting('app.agency_id', true), '')::uuid and (nullif(current_setting('app.client_ids', true), '')::uuid[] is null or "escalations"."client_id" = any(nullif(current_setting('app.client_ids', true), '')::uuid[])));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "notifications" AS PERMISSIVE FOR ALL TO "parley_app" USING ("notifications"."agency_id" = nullif(current_setting('app.agency_id', true), '')::uuid and (nullif(current_setting('app.client_ids', true), '')::uuid[] is null or "notifications"."client_id" = any(nullif(current_setting('app.client_ids', true), '')::uuid[]))) WITH CHECK ("notifications"."agency_id" = nullif(current_setting('app.agency_id', true), '')::uuid and (nullif(current_setting('app.client_ids', true), '')::uuid[] is null or "notifications"."client_id" = any(nullif(current_setting('app.client_ids', true), '')::uuid[])));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "playbooks" AS PERMISSIVE FOR ALL TO "parley_app" USING ("playbooks"."agency_id" = nullif(current_setting('app.agency_id', true), '')::uuid and (nullif(current_setting('app.client_ids', true), '')::uuid[] is null or "playbooks"."client_id" = any(nullif(current_setting('app.client_ids', true), '')::uuid[]))) WITH CHECK ("playbooks"."agency_id" = nullif(current_setting('app.agency_id', true), '')::uuid and (nullif(current_setting('app.client_ids', true), '')::uuid[] is null or "playbooks"."client_id" = any(nullif(current_setting('app.client_ids', true), '')::uuid[])));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "sla_clocks" AS PERMISSIVE FOR ALL TO "parley_app" USING ("sla_clocks"."agency_id" = nullif(current_setting('app.agency_id', true), '')::uuid and (nullif(current_setting('app.client_ids', true), '')::uuid[] is null or "sla_clocks"."client_id" = any(nullif(current_setting('app.client_ids', true), '')::uuid[]))) WITH CHECK ("sla_clocks"."agency_id" = nullif(current_setting('app.agency_id', true), '')::uuid and (nullif(current_setting('app.client_ids', true), '')::uuid[] is null or "sla_clocks"."client_id" = any(nullif(current_setting('app.client_ids', true), '')::uuid[])));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "workflow_wakeups" AS PERMISSIVE FOR ALL TO "parley_app" USING ("workflow_wakeups"."agency_id" = nullif(current_setting('app.agency_id', true), '')::uuid and (nullif(current_setting('app.client_ids', true), '')::uuid[] is null or "workflow_wakeups"."client_id" = any(nullif(current_setting('app.client_ids', true), '')::uuid[]))) WITH CHECK ("workflow_wakeups"."agency_id" = nullif(current_setting('app.agency_id', true), '')::uuid and (nullif(current_setting('app.client_ids', true), '')::uuid[] is null or "workflow_wakeups"."client_id" = any(nullif(current_setting('app.client_ids', true), '')::uuid[])));