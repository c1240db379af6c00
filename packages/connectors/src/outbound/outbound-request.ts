import type { Platform } from "@parley/contracts";

export const outboundActions = ["reply", "hide", "unhide", "delete"] as const;
export type OutboundAction = (typeof outboundActions)[number];

/**
 * One public action to carry out on a platform, as the outbox hands it over (structurally core's
 * `OutboundRequest`: the connectors do not depend on core).
 */
export interface OutboundRequest {
  deliveryId: string;
  action: OutboundAction;
  channel: {
    id: string;
    platform: Platform;
    externalAccountId: string;
    credentials: Record<string, string>;
    ingestSecret: string;
  };
  item: {
    id: string;
    externalId: string;
    kind: string;
    threadExternalId: string | null;
    aliasExternalId: string | null;
    url: string | null;
  };
  reply: { id: string; body: string } | null;
}

/** `retryable: false` when trying again cannot help (missing credentials, a 4xx refusal, an unsupported action). */
export type OutboundOutcome =
  | { ok: true; externalId: string | null }
  | { ok: false; retryable: boolean; error: string };

export interface OutboundHttp {
  fetch: typeof fetch;
  timeoutMs: number;
}

export function permanentFailure(error: string): OutboundOutcome {
  return { ok: false, retryable: false, error };
}

function excerptOf(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= 200 ? flat : `${flat.slice(0, 197)}…`;
}

/**
 * Sends one HTTP request to a platform and classifies the answer: 2xx succeeds (with the `id` the platform
 * returned, if any); 408, 429, 5xx and network errors are worth retrying; any other 4xx is a refusal a retry
 * will not change.
 */
export async function callPlatform(
  http: OutboundHttp,
  options: { platform: string; url: string; init: RequestInit },
): Promise<OutboundOutcome> {
  let response: Response;
  try {
    response = await http.fetch(options.url, { ...options.init, signal: AbortSignal.timeout(http.timeoutMs) });
  } catch (error) {
    const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : "";
    return { ok: false, retryable: true, error: `${options.platform} could not be reached: ${reason}` };
  }
  const text = await response.text().catch(() => "");
  if (!response.ok) {
    const retryable = response.status === 408 || response.status === 429 || response.status >= 500;
    return {
      ok: false,
      retryable,
      error: `${options.platform} answered ${response.status}${text ? `: ${excerptOf(text)}` : ""}`,
    };
  }
  let externalId: string | null = null;
  try {
    const body = JSON.parse(text) as { id?: unknown; externalId?: unknown };
    const id = body.id ?? body.externalId;
    if (typeof id === "string" || typeof id === "number") externalId = String(id);
  } catch {
    // A success without a JSON body (hide, delete) carries no id.
  }
  return { ok: true, externalId };
}
