-- Row-level security applies to the table owner too (grants come from the default privileges of 0002).
ALTER TABLE "staffing_settings" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "planned_events" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "roster_shifts" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "roster_exceptions" FORCE ROW LEVEL SECURITY;
