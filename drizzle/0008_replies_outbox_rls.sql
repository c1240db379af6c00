ALTER TABLE "replies" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "outbound_deliveries" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "item_notes" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "api_keys" FORCE ROW LEVEL SECURITY;
