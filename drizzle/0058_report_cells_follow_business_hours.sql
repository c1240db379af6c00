-- Report cells hold each item's side of business hours as the client's calendar versions said when they were written.
-- A version only takes effect from now on (core/sla `saveBusinessHours`), after every materialized day; should one take
-- effect earlier (a seed, an import), the days from its effect on are marked stale, so reports judge them by it.
CREATE FUNCTION parley_item_facts_hours_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock_shared(parley_item_facts_lock(NEW.client_id));
  DELETE FROM item_fact_days d
  WHERE d.agency_id = NEW.agency_id AND d.client_id = NEW.client_id
    AND d.day >= (NEW.effective_at AT TIME ZONE 'UTC')::date;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER business_calendars_facts_changed AFTER INSERT ON business_calendars
  FOR EACH ROW EXECUTE FUNCTION parley_item_facts_hours_changed();
