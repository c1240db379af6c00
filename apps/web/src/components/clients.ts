import { useQuery } from "@tanstack/solid-query";
import { useSession } from "../auth";
import { keys } from "../query";
import { type RouterOutputs, trpc } from "../trpc";

/** The agency's clients as `clients.list` answers them (filters, selects and most pages read them). */
export type ClientView = RouterOutputs["clients"]["list"][number];

/**
 * The agency's clients (a scoped member: those assigned to them), archived ones too when `includeArchived`
 * says so; cached per agency under `keys.clients`, so every list of them refreshes together.
 */
export function useClients(includeArchived: () => boolean = () => false) {
  const session = useSession();
  return useQuery(() => ({
    queryKey: keys.clients(session.agencyId(), includeArchived()),
    queryFn: () => trpc.clients.list.query({ includeArchived: includeArchived() }),
  }));
}
