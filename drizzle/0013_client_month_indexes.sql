DROP INDEX "sla_clocks_agency_id_client_id_started_at_index";--> statement-breakpoint
CREATE INDEX "items_client_received_idx" ON "items" USING btree ("agency_id","client_id","received_at","id","priority");--> statement-breakpoint
CREATE INDEX "escalations_client_created_idx" ON "escalations" USING btree ("agency_id","client_id","created_at");--> statement-breakpoint
CREATE INDEX "sla_clocks_client_started_idx" ON "sla_clocks" USING btree ("agency_id","client_id","started_at","item_id","metric","due_at","stopped_at");