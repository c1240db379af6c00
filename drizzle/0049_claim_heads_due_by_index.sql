-- Claim next's heads read each candidate's first-response due time with one look into `sla_clocks_item_metric_key`
-- instead of a join the planner ran as a hash join over every clock of the agency: at the end of a 5-minute spike
-- that scanned 48,644 clocks (1,244 buffers, 39 ms) to find 24 due times, and the read grew with the table.
-- Otherwise the same function as migration 0017. Caller: packages/core/src/moderation/claim-next-item.ts
-- (`readCandidates`).
CREATE OR REPLACE FUNCTION parley_claim_queue_heads(
  p_agency_id uuid, p_client_ids uuid[], p_wanted jsonb, p_passed_over uuid[], p_now timestamptz
) RETURNS TABLE (id uuid, client_id uuid, priority priority, lapsed_from uuid, received_at float8, due_at float8)
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
BEGIN
  PERFORM set_config('app.agency_id', p_agency_id::text, true), set_config('app.client_ids', coalesce(p_client_ids::text, ''), true),
    set_config('app.user_id', '', true);
  RETURN QUERY
  WITH heads AS (
    SELECT head.* FROM jsonb_to_recordset(p_wanted) AS scoped(client_id uuid, count int)
    CROSS JOIN LATERAL (
      SELECT i.id, i.client_id, i.priority, i.received_at, null::uuid AS lapsed_from FROM items i
      WHERE i.agency_id = p_agency_id AND i.client_id = scoped.client_id AND i.status = 'queued'
        AND i.id <> ALL (p_passed_over)
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
