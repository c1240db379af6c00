-- A reply and its parent stored by two deliveries at the same time: neither transaction sees the other's
-- uncommitted item, so neither links them. After each delivery commits, this links the replies of the channel
-- that name one of the delivery's names (its items' external ids and aliases, its replies' parents) to a stored
-- item of that name. Of two such deliveries, the later to commit runs this after both are committed, so the pair
-- is linked without either delivery waiting for the other. Sets the tenant for its own transaction
-- (`set_config(..., true)`) like the claim functions (migration 0017), so it is one round trip and row-level
-- security applies. Returns how many replies it linked. Caller:
-- packages/core/src/moderation/ingest-channel.unscoped.ts (`ingestChannelItems`).
CREATE FUNCTION parley_link_waiting_replies(p_agency_id uuid, p_client_id uuid, p_channel_id uuid, p_names jsonb)
RETURNS integer
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
DECLARE
  linked integer;
BEGIN
  PERFORM set_config('app.agency_id', p_agency_id::text, true), set_config('app.client_ids', '{' || p_client_id || '}', true),
    set_config('app.user_id', '', true);
  UPDATE items AS child SET parent_item_id = parent.id, updated_at = now()
  FROM items AS parent
  WHERE child.agency_id = p_agency_id AND child.channel_id = p_channel_id AND child.parent_item_id IS NULL
    AND child.parent_external_id IN (SELECT jsonb_array_elements_text(p_names))
    AND parent.agency_id = p_agency_id AND parent.channel_id = p_channel_id AND parent.id <> child.id
    AND (parent.external_id = child.parent_external_id OR parent.alias_external_id = child.parent_external_id);
  GET DIAGNOSTICS linked = ROW_COUNT;
  RETURN linked;
END $$;
