DROP INDEX "sla_clocks_client_started_idx";--> statement-breakpoint
ALTER TABLE "sla_clocks" ADD COLUMN "priority" "priority";--> statement-breakpoint
-- Existing clocks take their item's priority (edits never restarted a clock, so this is the best record of the
-- target they started on). Both tables FORCE row-level security, which would show an owner that is not a
-- superuser no rows at all: lifted for the backfill only, inside this migration's transaction.
ALTER TABLE "sla_clocks" NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "items" NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
UPDATE "sla_clocks" c SET "priority" = i."priority" FROM "items" i WHERE i."id" = c."item_id";--> statement-breakpoint
ALTER TABLE "items" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "sla_clocks" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "sla_clocks" ALTER COLUMN "priority" SET NOT NULL;--> statement-breakpoint
CREATE INDEX "sla_clocks_client_started_idx" ON "sla_clocks" USING btree ("agency_id","client_id","started_at","item_id","metric","priority","due_at","stopped_at");
