import type { OutboundOutcome } from "@parley/contracts";
import { OutboundAddressRefused } from "./guarded-fetch";

export type { OutboundAction, OutboundOutcome, OutboundRequest } from "@parley/contracts";

export interface OutboundHttp {
  fetch: typeof fetch;
  timeoutMs: number;
}

export function permanentFailure(error: string): OutboundOutcome {
  return { ok: false, retryable: false, error };
}

/**
 * What a tenant is told about a platform's refusal: the status and a fixed reason, never the answer's body (an
 * address inside someone's network would otherwise be read back through it).
 */
function reasonOf(status: number): string {
  if (status >= 300 && status < 400) return "a redirect, which Parley does not follow";
  if (status === 401 || status === 403) return "refused: check the channel's credentials";
  if (status === 404 || status === 410) return "not found";
  if (status === 408 || status === 429) return "busy: will retry";
  if (status >= 500) return "a server error";
  return "refused the request";
}

/** 408, 429 and 5xx: the platform may well answer differently later. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * Sends one HTTP request to a platform and classifies the answer: 2xx succeeds (with the `id` the platform
 * returned, if any); 408, 429, 5xx and network errors are worth retrying; any other answer (a 3xx is not
 * followed) is a refusal a retry will not change; an address Parley may not call is refused without sending.
 */
export async function callPlatform(
  http: OutboundHttp,
  options: { platform: string; url: string; init: RequestInit },
): Promise<OutboundOutcome> {
  let response: Response;
  try {
    response = await http.fetch(options.url, {
      ...options.init,
      redirect: "manual",
      signal: AbortSignal.timeout(http.timeoutMs),
    });
  } catch (error) {
    if (
      error instanceof OutboundAddressRefused ||
      (error as { cause?: unknown }).cause instanceof OutboundAddressRefused
    ) {
      return { ok: false, retryable: false, error: `${options.platform} was not called: its address is not allowed` };
    }
    const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
    return {
      ok: false,
      retryable: true,
      error: timedOut ? `${options.platform} did not answer in time` : `${options.platform} could not be reached`,
    };
  }
  const text = await response.text().catch(() => "");
  if (!response.ok) {
    return {
      ok: false,
      retryable: isRetryableStatus(response.status),
      error: `${options.platform} answered ${response.status}: ${reasonOf(response.status)}`,
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
