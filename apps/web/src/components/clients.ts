import { type QueryClient, useQuery } from "@tanstack/solid-query";
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

/**
 * Writes a client as a change saved it into the cached client lists, so a dialog opened again at once shows what
 * was stored rather than the list as it was before (saving those stale values again would undo the change); the
 * lists still refetch (`afterChange`'s `stale`).
 */
export function storeSavedClient(queryClient: QueryClient, agencyId: string, saved: ClientView): void {
  for (const includeArchived of [false, true]) {
    queryClient.setQueryData<ClientView[]>(keys.clients(agencyId, includeArchived), (list) =>
      list?.map((client) => (client.id === saved.id ? saved : client)),
    );
  }
}
