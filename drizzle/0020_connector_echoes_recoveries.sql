DROP INDEX "items_client_received_idx";--> statement-breakpoint
ALTER TABLE "items" ADD COLUMN "by_brand" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "items" ADD COLUMN "title" text;--> statement-breakpoint
ALTER TABLE "items" ADD COLUMN "status_before_removal" "item_status";--> statement-breakpoint
ALTER TABLE "outbound_deliveries" ADD COLUMN "echo_item_id" uuid;--> statement-breakpoint
ALTER TABLE "outbound_deliveries" ADD COLUMN "echoed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "outbound_deliveries" ADD CONSTRAINT "outbound_deliveries_echo_item_id_items_id_fk" FOREIGN KEY ("echo_item_id") REFERENCES "public"."items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "replies_external_idx" ON "replies" USING btree ("agency_id","channel_id","external_id") WHERE "replies"."external_id" is not null;--> statement-breakpoint
CREATE INDEX "items_client_received_idx" ON "items" USING btree ("agency_id","client_id","received_at") WHERE not "items"."by_brand";