DROP INDEX "items_agency_id_channel_id_thread_external_id_index";--> statement-breakpoint
DROP INDEX "items_agency_id_customer_id_index";--> statement-breakpoint
CREATE INDEX "items_agency_id_channel_id_thread_external_id_created_at_index" ON "items" USING btree ("agency_id","channel_id","thread_external_id","created_at");--> statement-breakpoint
CREATE INDEX "items_agency_id_customer_id_created_at_index" ON "items" USING btree ("agency_id","customer_id","created_at");