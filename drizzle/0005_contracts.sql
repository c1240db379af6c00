CREATE TABLE "contracts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agency_id" uuid NOT NULL,
	"client_id" uuid NOT NULL,
	"valid_from" date NOT NULL,
	"valid_to" date,
	"currency" text NOT NULL,
	"terms" jsonb NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "contracts" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "contracts" ADD CONSTRAINT "contracts_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contracts" ADD CONSTRAINT "contracts_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contracts" ADD CONSTRAINT "contracts_agency_id_client_id_clients_agency_id_id_fk" FOREIGN KEY ("agency_id","client_id") REFERENCES "public"."clients"("agency_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "contracts_agency_id_client_id_valid_from_index" ON "contracts" USING btree ("agency_id","client_id","valid_from");--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "contracts" AS PERMISSIVE FOR ALL TO "parley_app" USING ("contracts"."agency_id" = nullif(current_setting('app.agency_id', true), '')::uuid and (nullif(current_setting('app.client_ids', true), '')::uuid[] is null or "contracts"."client_id" = any(nullif(current_setting('app.client_ids', true), '')::uuid[]))) WITH CHECK ("contracts"."agency_id" = nullif(current_setting('app.agency_id', true), '')::uuid and (nullif(current_setting('app.client_ids', true), '')::uuid[] is null or "contracts"."client_id" = any(nullif(current_setting('app.client_ids', true), '')::uuid[])));