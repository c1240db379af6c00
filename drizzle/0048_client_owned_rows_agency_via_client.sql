ALTER TABLE "contracts" DROP CONSTRAINT "contracts_agency_id_agencies_id_fk";
--> statement-breakpoint
ALTER TABLE "invoice_lines" DROP CONSTRAINT "invoice_lines_agency_id_agencies_id_fk";
--> statement-breakpoint
ALTER TABLE "invoices" DROP CONSTRAINT "invoices_agency_id_agencies_id_fk";
--> statement-breakpoint
ALTER TABLE "volume_spikes" DROP CONSTRAINT "volume_spikes_agency_id_agencies_id_fk";
--> statement-breakpoint
ALTER TABLE "customer_identities" DROP CONSTRAINT "customer_identities_agency_id_agencies_id_fk";
--> statement-breakpoint
ALTER TABLE "customers" DROP CONSTRAINT "customers_agency_id_agencies_id_fk";
--> statement-breakpoint
ALTER TABLE "items" DROP CONSTRAINT "items_agency_id_agencies_id_fk";
--> statement-breakpoint
ALTER TABLE "protocol_versions" DROP CONSTRAINT "protocol_versions_agency_id_agencies_id_fk";
--> statement-breakpoint
ALTER TABLE "item_notes" DROP CONSTRAINT "item_notes_agency_id_agencies_id_fk";
--> statement-breakpoint
ALTER TABLE "outbound_deliveries" DROP CONSTRAINT "outbound_deliveries_agency_id_agencies_id_fk";
--> statement-breakpoint
ALTER TABLE "replies" DROP CONSTRAINT "replies_agency_id_agencies_id_fk";
--> statement-breakpoint
ALTER TABLE "sandbox_posts" DROP CONSTRAINT "sandbox_posts_agency_id_agencies_id_fk";
--> statement-breakpoint
ALTER TABLE "business_calendars" DROP CONSTRAINT "business_calendars_agency_id_agencies_id_fk";
--> statement-breakpoint
ALTER TABLE "escalations" DROP CONSTRAINT "escalations_agency_id_agencies_id_fk";
--> statement-breakpoint
ALTER TABLE "notifications" DROP CONSTRAINT "notifications_agency_id_agencies_id_fk";
--> statement-breakpoint
ALTER TABLE "playbooks" DROP CONSTRAINT "playbooks_agency_id_agencies_id_fk";
--> statement-breakpoint
ALTER TABLE "sla_clocks" DROP CONSTRAINT "sla_clocks_agency_id_agencies_id_fk";
--> statement-breakpoint
ALTER TABLE "workflow_wakeups" DROP CONSTRAINT "workflow_wakeups_agency_id_agencies_id_fk";
--> statement-breakpoint
ALTER TABLE "planned_events" DROP CONSTRAINT "planned_events_agency_id_agencies_id_fk";
--> statement-breakpoint
ALTER TABLE "topic_digests" DROP CONSTRAINT "topic_digests_agency_id_agencies_id_fk";
