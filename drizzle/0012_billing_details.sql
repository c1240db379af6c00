ALTER TABLE "agencies" ADD COLUMN "legal_name" text;--> statement-breakpoint
ALTER TABLE "agencies" ADD COLUMN "billing_address" text;--> statement-breakpoint
ALTER TABLE "agencies" ADD COLUMN "tax_id" text;--> statement-breakpoint
ALTER TABLE "agencies" ADD COLUMN "billing_email" text;--> statement-breakpoint
ALTER TABLE "clients" ADD COLUMN "billing_address" text;--> statement-breakpoint
ALTER TABLE "clients" ADD COLUMN "tax_id" text;--> statement-breakpoint
ALTER TABLE "clients" ADD COLUMN "billing_email" text;