import type { AppRouter } from "@parley/trpc";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import superjson from "superjson";

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
