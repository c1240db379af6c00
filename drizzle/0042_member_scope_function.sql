-- A member's scope in an agency (their membership, role and clients) as one function call: every tRPC request and
-- every live-stream heartbeat builds it, and as a transaction (BEGIN, the tenant settings, two reads, COMMIT) it
-- took four round trips. Like the claim functions (migration 0017) it sets the tenant for its own transaction
-- (`set_config(..., true)`: the agency, every client, the user), so row-level security applies as anywhere else,
-- and runs on its generic plan. No row when the user is not a member. Caller:
-- packages/core/src/agencies/me.ts (`resolveScope`).
CREATE FUNCTION parley_member_scope(p_agency_id uuid, p_user_id uuid)
RETURNS TABLE (membership_id uuid, role role, client_ids uuid[], client_admin_of uuid[])
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
BEGIN
  PERFORM set_config('app.agency_id', p_agency_id::text, true), set_config('app.client_ids', '', true),
    set_config('app.user_id', p_user_id::text, true);
  RETURN QUERY
  SELECT m.id, m.role,
    coalesce(array_agg(a.client_id ORDER BY a.created_at, a.client_id) FILTER (WHERE a.client_id IS NOT NULL), '{}'),
    coalesce(array_agg(a.client_id ORDER BY a.created_at, a.client_id) FILTER (WHERE a.client_admin), '{}')
  FROM memberships m
  LEFT JOIN client_assignments a ON a.agency_id = m.agency_id AND a.membership_id = m.id
  WHERE m.agency_id = p_agency_id AND m.user_id = p_user_id
  GROUP BY m.id, m.role;
END $$;
