ALTER TABLE "sla_clocks" ADD COLUMN "watch_armed_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "sla_clocks_unwatched_idx" ON "sla_clocks" USING btree ("agency_id","at_risk_at") WHERE "sla_clocks"."watch_armed_at" is null and "sla_clocks"."stopped_at" is null and "sla_clocks"."breached_at" is null;--> statement-breakpoint
-- Running clocks started before this migration had their watch armed by ingest.
UPDATE "sla_clocks" SET "watch_armed_at" = "started_at" WHERE "stopped_at" IS NULL AND "breached_at" IS NULL;
