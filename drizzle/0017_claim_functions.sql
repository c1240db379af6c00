-- Claim next's two statements as functions that set the tenant for their own transaction (as withTenant does,
-- `set_config(..., true)`), so each claim transaction is one message and one answer: no BEGIN, settings and COMMIT
-- each answered and flushed on their own. Row-level security applies inside them as anywhere else (they run as
-- the caller), and they run on their generic plans (planned once per connection). Callers:
-- packages/core/src/moderation/claim-next-item.ts (`readCandidates`, `takeCandidates`).

-- The unlocked heads of the asked clients' queues (per client, `count` queued items in `items_claim_queued_idx`
-- order) and the lapsed claims of those clients, less `p_passed_over`, with their first-response due times.
CREATE FUNCTION parley_claim_queue_heads(
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
  SELECT c.id, c.client_id, c.priority, c.lapsed_from, date_part('epoch', c.received_at), date_part('epoch', due.due_at)
  FROM (SELECT * FROM heads UNION ALL SELECT * FROM lapsed) AS c
  LEFT JOIN sla_clocks AS due ON due.agency_id = p_agency_id AND due.item_id = c.id AND due.metric = 'first_response';
END $$;
--> statement-breakpoint

-- Locks the chosen candidates (`p_claims`: id, actor, ip, expires_at) and the lapsed claims (`p_lapsed`: id,
-- client_id, claimed_by), skipping rows another transaction holds; checks each is still queued or still lapsed;
-- claims the chosen ones and puts lapsed claims nobody took back in the queue, with their audit events and one
-- `queue.changed` live event per client (the payload of packages/core/src/live/publish-live-event.ts). Returns
-- the items claimed.
CREATE FUNCTION parley_claim_take(
  p_agency_id uuid, p_client_ids uuid[], p_claims jsonb, p_lapsed jsonb, p_at timestamptz
) RETURNS SETOF items
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
BEGIN
  PERFORM set_config('app.agency_id', p_agency_id::text, true), set_config('app.client_ids', coalesce(p_client_ids::text, ''), true),
    set_config('app.user_id', '', true);
  RETURN QUERY
  WITH lapsed AS (
    SELECT * FROM jsonb_to_recordset(p_lapsed) AS lapsed(id uuid, client_id uuid, claimed_by uuid)
  ), wanted AS (
    SELECT * FROM jsonb_to_recordset(p_claims) AS wanted(id uuid, actor uuid, ip text, expires_at timestamptz)
  ), locked AS (
    SELECT i.id, i.status = 'claimed' AS lapsed FROM items i
    WHERE i.agency_id = p_agency_id
      AND i.id IN (SELECT w.id FROM wanted w UNION ALL SELECT l.id FROM lapsed l)
      AND (i.status = 'queued' OR (i.status = 'claimed' AND i.claim_expires_at < p_at))
    FOR UPDATE SKIP LOCKED
  ), released AS (
    UPDATE items SET status = 'queued', claimed_by = NULL, claim_expires_at = NULL, updated_at = p_at
    FROM lapsed JOIN locked USING (id)
    WHERE items.agency_id = p_agency_id AND items.id = lapsed.id AND locked.lapsed
      AND lapsed.id NOT IN (SELECT w.id FROM wanted w)
    RETURNING items.id, items.client_id
  ), claimed AS (
    UPDATE items SET status = 'claimed', claimed_by = wanted.actor, claim_expires_at = wanted.expires_at, updated_at = p_at
    FROM wanted JOIN locked USING (id)
    WHERE items.agency_id = p_agency_id AND items.id = wanted.id
    RETURNING items.*
  ), audited AS (
    INSERT INTO audit_events (agency_id, actor_user_id, ip, client_id, action, subject_type, subject_id, before, after,
      protocol_version_id)
    SELECT p_agency_id, NULL, NULL, lapsed.client_id, 'item.claim_expired', 'item', lapsed.id::text,
      jsonb_build_object('claimedBy', lapsed.claimed_by), NULL, NULL
    FROM lapsed JOIN locked USING (id) WHERE locked.lapsed
    UNION ALL
    SELECT p_agency_id, claimed.claimed_by, wanted.ip, claimed.client_id, 'item.claimed', 'item', claimed.id::text, NULL,
      jsonb_build_object('claimedBy', claimed.claimed_by, 'claimExpiresAt',
        to_char(claimed.claim_expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
      claimed.protocol_version_id
    FROM claimed JOIN wanted USING (id)
  ), announced AS (
    SELECT pg_notify('parley_live', (jsonb_build_object('type', 'queue.changed', 'agencyId', p_agency_id::text,
      'clientId', per_client.client_id) || jsonb_build_object('subjectId', per_client.id::text))::text)
    FROM (SELECT DISTINCT ON (changed.client_id) changed.client_id, changed.id FROM (
      SELECT c.client_id, c.id FROM claimed c UNION ALL SELECT r.client_id, r.id FROM released r) AS changed) AS per_client
  ), result AS MATERIALIZED (
    -- Every announcement is made, even when nothing was claimed (a lapsed claim went back to the queue).
    SELECT claimed.* FROM (SELECT count(*) FROM announced) AS announcements LEFT JOIN claimed ON true
  )
  SELECT * FROM result WHERE result.id IS NOT NULL;
END $$;
