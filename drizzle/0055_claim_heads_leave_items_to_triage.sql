-- Claim next leaves an item to its triage while the triage's step is due: for its first 30 seconds due, an item whose
-- `triage` wake-up has come is not a head. Triage acknowledges and escalates such items at once (no authority for the
-- category, or a playbook matched); in a 10-minute spike 2,982 of 9,397 claims went to items triage escalated while
-- their moderator read them, and each moderator's action was refused (409 already_handled). A wake-up due for longer
-- (a stalled driver) no longer holds the item back, so nothing waits on the triage forever; a later step (a
-- reminder, a follow-up) is not due yet and holds nothing. Otherwise the same function as migration 0049. Caller:
-- packages/core/src/moderation/claim-next-item.ts (`readCandidates`).
CREATE OR REPLACE FUNCTION parley_claim_queue_heads(
  p_agency_id uuid, p_client_ids uuid[], p_wanted jsonb, p_passed_over uuid[], p_now timestamptz
) RETURNS TABLE (id uuid, client_id uuid, priority priority, lapsed_from uuid, received_at float8, due_at float8)
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
BEGIN
  PERFORM set_config('app.agency_id', p_agency_id::text, true), set_config('app.client_ids', coalesce(p_client_ids::text, ''), true),
    set_config('app.user_id', '', true);
  RETURN QUERY
  WITH left_to_triage AS MATERIALIZED (
    -- Read once through the agency's due wake-ups (`workflow_wakeups_due_idx`), not probed for each item passed:
    -- in a spike the queue's heads are mostly items whose triage is due, and the scan passes them all.
    SELECT w.subject_id FROM workflow_wakeups w
    WHERE w.agency_id = p_agency_id AND w.due_at <= p_now AND w.due_at > p_now - interval '30 seconds'
      AND w.flow = 'triage'
  ), heads AS (
    SELECT head.* FROM jsonb_to_recordset(p_wanted) AS scoped(client_id uuid, count int)
    CROSS JOIN LATERAL (
      SELECT i.id, i.client_id, i.priority, i.received_at, null::uuid AS lapsed_from FROM items i
      WHERE i.agency_id = p_agency_id AND i.client_id = scoped.client_id AND i.status = 'queued'
        AND i.id <> ALL (p_passed_over) AND i.id NOT IN (SELECT t.subject_id FROM left_to_triage t)
      ORDER BY i.priority, i.received_at
      LIMIT scoped.count
    ) AS head
  ), lapsed AS (
    SELECT i.id, i.client_id, i.priority, i.received_at, i.claimed_by AS lapsed_from FROM items i
    WHERE i.agency_id = p_agency_id AND i.client_id IN (SELECT w.client_id FROM jsonb_to_recordset(p_wanted) AS w(client_id uuid))
      AND i.status = 'claimed' AND i.claim_expires_at < p_now AND i.id <> ALL (p_passed_over)
  )
  SELECT c.id, c.client_id, c.priority, c.lapsed_from, date_part('epoch', c.received_at),
    date_part('epoch', (
      SELECT due.due_at FROM sla_clocks AS due
      WHERE due.item_id = c.id AND due.metric = 'first_response' AND due.agency_id = p_agency_id
    ))
  FROM (SELECT * FROM heads UNION ALL SELECT * FROM lapsed) AS c;
END $$;
