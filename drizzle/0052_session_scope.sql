-- A session's member scope (the membership, role and clients of its user in its current agency) by the session's id:
-- the same reading as `parley_member_scope` (migration 0042), for the agency and user the session names. Every
-- request signed in by a cookie read its session, then its scope, one round trip after the other; keyed by the
-- session, the two reads go out together. Expiry is the session read's to judge: this returns the scope of any
-- stored session. No row for an unknown session, one without an agency, or a user who is no longer a member.
-- Caller: packages/core/src/agencies/me.ts (`resolveSessionScope`).
CREATE FUNCTION parley_session_scope(p_session_id text)
RETURNS TABLE (agency_id uuid, user_id uuid, membership_id uuid, role role, client_ids uuid[], client_admin_of uuid[])
LANGUAGE sql AS $$
  SELECT s.current_agency_id, s.user_id, m.membership_id, m.role, m.client_ids, m.client_admin_of
  FROM sessions s
  CROSS JOIN LATERAL parley_member_scope(s.current_agency_id, s.user_id) AS m
  WHERE s.id = p_session_id AND s.current_agency_id IS NOT NULL
$$;
