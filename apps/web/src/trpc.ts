import type { AppRouter } from "@parley/trpc";
import { createTRPCClient, httpBatchLink, httpLink, splitLink } from "@trpc/client";
import superjson from "superjson";

/**
 * What each procedure takes and answers, inferred from `AppRouter`: type a call's input or result with these
 * (e.g. `RouterOutputs["invoices"]["get"]`), never with a copy of the server's shape.
 */
export type { RouterInputs, RouterOutputs } from "@parley/trpc";

const fetchSameOrigin = (input: RequestInfo | URL, init?: RequestInit | object) =>
  fetch(input, { ...(init as RequestInit), credentials: "same-origin" });

/**
 * Procedures a console refreshes on its own, many times a minute under load: each travels alone, so a cheap one
 * (the counts) never waits in a batch for a heavy one (a page of the queue).
 */
const unbatched = new Set(["queue.counts", "queue.list"]);

/** The vanilla tRPC client; solid-query calls it from queryFn / mutationFn. */
export const trpc = createTRPCClient<AppRouter>({
  links: [
    splitLink({
      condition: (op) => unbatched.has(op.path),
      true: httpLink({ url: "/trpc", transformer: superjson, fetch: fetchSameOrigin }),
      false: httpBatchLink({ url: "/trpc", transformer: superjson, fetch: fetchSameOrigin }),
    }),
  ],
});
