import type { InngestFunction } from "inngest";
import { serve } from "inngest/hono";
import type { ParleyInngest } from "./client";

export interface CreateInngestHandlerOptions {
  inngest: ParleyInngest;
  functions: readonly InngestFunction.Like[];
  /** The public path the handler is mounted on, when a proxy rewrites it. */
  servePath?: string;
}

/**
 * The `/api/inngest` endpoint as a Hono handler: mount it for GET (introspection), PUT (sync) and
 * POST (step execution), e.g. `app.on(["GET", "PUT", "POST"], "/api/inngest", handler)`.
 */
export function createInngestHandler({ inngest, functions, servePath }: CreateInngestHandlerOptions) {
  return serve({ client: inngest, functions, ...(servePath ? { servePath } : {}) });
}
