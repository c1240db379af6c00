import type { OutboundOutcome } from "@parley/contracts";

export type { OutboundAction, OutboundOutcome, OutboundRequest } from "@parley/contracts";

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

/** 408, 429 and 5xx: the platform may well answer differently later. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
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
    return {
      ok: false,
      retryable: isRetryableStatus(response.status),
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
