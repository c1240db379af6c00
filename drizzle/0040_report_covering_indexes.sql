DROP INDEX "outbound_deliveries_agency_id_item_id_index";--> statement-breakpoint
CREATE INDEX "audit_events_client_created_idx" ON "audit_events" USING btree ("agency_id","client_id","created_at");--> statement-breakpoint
CREATE INDEX "outbound_deliveries_item_idx" ON "outbound_deliveries" USING btree ("agency_id","item_id","created_at","status","client_id");--> statement-breakpoint
CREATE INDEX "replies_item_sent_idx" ON "replies" USING btree ("agency_id","item_id","sent_at","kind","author_user_id","client_id") WHERE "replies"."status" = 'sent';