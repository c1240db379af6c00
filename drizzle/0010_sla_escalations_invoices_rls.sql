ALTER TABLE "sla_clocks" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "playbooks" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "escalations" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "workflow_wakeups" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "notifications" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "invoices" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "invoice_lines" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "invoice_number_counters" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
-- A finalized invoice is an immutable snapshot: only its Stripe and payment columns may still change.
CREATE OR REPLACE FUNCTION parley_refuse_finalized_invoice_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status = 'finalized' THEN
    IF TG_OP = 'DELETE'
      OR (to_jsonb(NEW) - 'stripe_invoice_id' - 'payment_status' - 'updated_at')
         IS DISTINCT FROM (to_jsonb(OLD) - 'stripe_invoice_id' - 'payment_status' - 'updated_at') THEN
      RAISE EXCEPTION 'invoice % is finalized and cannot be changed', OLD.id USING ERRCODE = '55000';
    END IF;
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END
$$;--> statement-breakpoint
CREATE TRIGGER invoices_immutable_when_finalized BEFORE UPDATE OR DELETE ON "invoices"
  FOR EACH ROW EXECUTE FUNCTION parley_refuse_finalized_invoice_change();--> statement-breakpoint
CREATE OR REPLACE FUNCTION parley_refuse_finalized_invoice_line_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  parent_status text;
BEGIN
  SELECT status INTO parent_status FROM invoices WHERE id = COALESCE(NEW.invoice_id, OLD.invoice_id);
  IF parent_status = 'finalized' THEN
    RAISE EXCEPTION 'the lines of finalized invoice % cannot be changed', COALESCE(NEW.invoice_id, OLD.invoice_id)
      USING ERRCODE = '55000';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END
$$;--> statement-breakpoint
CREATE TRIGGER invoice_lines_immutable_when_finalized BEFORE INSERT OR UPDATE OR DELETE ON "invoice_lines"
  FOR EACH ROW EXECUTE FUNCTION parley_refuse_finalized_invoice_line_change();
