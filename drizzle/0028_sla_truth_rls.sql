-- Row-level security applies to the table owner too (grants come from the default privileges of 0002).
ALTER TABLE "business_calendars" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
-- Each client's business hours so far become version 1 of its calendar, in force since before any item.
INSERT INTO "business_calendars" ("agency_id", "client_id", "version", "effective_from", "effective_at", "calendar")
SELECT "agency_id", "id", 1, '2000-01-01', '2000-01-01T00:00:00Z', "business_calendar"
FROM "clients" WHERE "business_calendar" IS NOT NULL;--> statement-breakpoint
-- Clocks started so far ran on the code's default targets (no contract): those whose calendar is not the
-- around-the-clock one ran on the client's business hours, version 1.
UPDATE "sla_clocks" AS c SET "calendar_kind" = 'business_hours', "calendar_version_id" = b."id"
FROM "business_calendars" AS b
WHERE b."client_id" = c."client_id" AND b."version" = 1
  AND c."calendar" <> '{"timeZone":"UTC","weekly":{"sun":[["00:00","24:00"]],"mon":[["00:00","24:00"]],"tue":[["00:00","24:00"]],"wed":[["00:00","24:00"]],"thu":[["00:00","24:00"]],"fri":[["00:00","24:00"]],"sat":[["00:00","24:00"]]}}'::jsonb;
