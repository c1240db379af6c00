-- Claim next holds items back for their triage only while the triage keeps up: when the triage's oldest due step on
-- the clients asked for (their oldest due `triage` wake-up) has been due for 30 s or more, no item is held. Until
-- then, as in migration 0055, an item whose triage step has been due for less than 30 s is no head, as triage is
-- about to acknowledge and escalate it. Behind by more (a 150 items/s spike outran the triage by minutes), each claim
-- read every step due in the last 30 s (660 buffers a call) to hold back items that triage would not reach for
-- minutes and that no claim would reach either, as the queue's older items come first. Otherwise the same function
-- as migration 0055. Caller: packages/core/src/moderation/claim-next-item.ts (`readCandidates`).
CREATE OR REPLACE FUNCTION parley_claim_queue_heads(
  p_agency_id uuid, p_client_ids uuid[], p_wanted jsonb, p_passed_over uuid[], p_now timestamptz
) RETURNS TABLE (id uuid, client_id uuid, priority priority, lapsed_from uuid, received_at float8, due_at float8)
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
BEGIN
  PERFORM set_config('app.agency_id', p_agency_id::text, true), set_config('app.client_ids', coalesce(p_client_ids::text, ''), true),
    set_config('app.user_id', '', true);
  RETURN QUERY
  WITH triage_behind AS MATERIALIZED (
    -- The triage's oldest due step on the clients asked for (row-level security keeps the read to them): the first
    -- triage row of their due wake-ups in due order.
    SELECT min(w.due_at) AS since FROM workflow_wakeups w
    WHERE w.agency_id = p_agency_id AND w.due_at <= p_now AND w.flow = 'triage'
  ), left_to_triage AS MATERIALIZED (
    -- Read once through the agency's due wake-ups (`workflow_wakeups_due_idx`), not probed for each item passed:
    -- in a spike the queue's heads are mostly items whose triage is due, and the scan passes them all. Only while
    -- the triage keeps up: once its oldest due step is 30 s old, every step in the window waits longer than the hold
    -- lasts, and reading them all (4,500 wake-ups in a 150 items/s spike, 660 buffers a claim) held back items no
    -- claim would reach.
    SELECT w.subject_id FROM workflow_wakeups w, triage_behind b
    WHERE b.since > p_now - interval '30 seconds'
      AND w.agency_id = p_agency_id AND w.due_at <= p_now AND w.due_at > p_now - interval '30 seconds'
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
