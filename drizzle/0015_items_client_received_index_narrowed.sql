DROP INDEX "items_client_received_idx";--> statement-breakpoint
CREATE INDEX "items_client_received_idx" ON "items" USING btree ("agency_id","client_id","received_at");