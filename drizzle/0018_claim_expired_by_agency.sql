DROP INDEX "items_claim_expired_idx";--> statement-breakpoint
CREATE INDEX "items_claim_expired_idx" ON "items" USING btree ("agency_id","claim_expires_at") WHERE "items"."status" = 'claimed';