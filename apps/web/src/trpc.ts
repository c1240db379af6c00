import type { AppRouter } from "@parley/trpc";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import superjson from "superjson";

/**
 * What each procedure takes and answers, inferred from `AppRouter`: type a call's input or result with these
 * (e.g. `RouterOutputs["invoices"]["get"]`), never with a copy of the server's shape.
 */
export type { RouterInputs, RouterOutputs } from "@parley/trpc";

/** The vanilla tRPC client; solid-query calls it from queryFn / mutationFn. */
export const trpc = createTRPCClient<AppRouter>({
  links: [
    httpBatchLink({
      url: "/trpc",
      transformer: superjson,
      fetch: (input, init) => fetch(input, { ...(init as RequestInit), credentials: "same-origin" }),
    }),
  ],
});
