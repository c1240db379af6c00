import { MutationCache, QueryCache, QueryClient } from "@tanstack/solid-query";
import { toUiError } from "./errors";

let onUnauthenticated: () => void = () => {};

/** The auth provider registers what happens when any call finds the session gone. */
export function setUnauthenticatedHandler(handler: () => void): void {
  onUnauthenticated = handler;
}

function handleError(err: unknown): void {
  if (toUiError(err).code === "UNAUTHENTICATED") onUnauthenticated();
}

export const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError: handleError }),
  mutationCache: new MutationCache({ onError: handleError }),
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      retry: (failures, err) => {
        const { code } = toUiError(err);
        return failures < 2 && (code === "NETWORK" || code === "INTERNAL" || code === "UNKNOWN");
      },
    },
    mutations: { retry: false },
  },
});

/**
 * Query keys start with the agency id, so switching agency never shows another agency's cached rows,
 * and invalidating `[agencyId, "clients"]` refreshes every client list of that agency.
 */
export const keys = {
  clients: (agencyId: string, includeArchived: boolean) => [agencyId, "clients", { includeArchived }] as const,
  allClients: (agencyId: string) => [agencyId, "clients"] as const,
  channels: (agencyId: string, clientId: string | null) => [agencyId, "channels", { clientId }] as const,
  allChannels: (agencyId: string) => [agencyId, "channels"] as const,
  members: (agencyId: string) => [agencyId, "members"] as const,
};
