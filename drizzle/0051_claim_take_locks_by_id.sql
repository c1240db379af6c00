-- Claim next's take locks its candidates by id, one look each into the items' primary key. The generic plan read
-- `i.id IN (subquery)` as a filter over every queued item of the agency (a bitmap scan of the queue's partial index and
-- its rows): 640 buffers and 15 ms a claim in a 60-second spike with a few thousand items queued, growing with the
-- queue. Otherwise the same function as migration 0041. Caller: packages/core/src/moderation/claim-next-item.ts
-- (`takeCandidates`).
CREATE OR REPLACE FUNCTION parley_claim_take(
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
      AND i.id = ANY (ARRAY(SELECT w.id FROM wanted w UNION ALL SELECT l.id FROM lapsed l))
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
      'clientId', changed.client_id) || jsonb_build_object('subjectId', changed.id::text))::text)
    FROM (SELECT c.client_id, c.id FROM claimed c UNION ALL SELECT r.client_id, r.id FROM released r) AS changed
  ), result AS MATERIALIZED (
    -- Every announcement is made, even when nothing was claimed (a lapsed claim went back to the queue).
    SELECT claimed.* FROM (SELECT count(*) FROM announced) AS announcements LEFT JOIN claimed ON true
  )
  SELECT * FROM result WHERE result.id IS NOT NULL;
END $$;
