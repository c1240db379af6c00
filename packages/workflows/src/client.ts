import { Inngest, type Logger } from "inngest";

/**
 * Everything the Inngest client needs, parsed from the environment once by apps/api and passed
 * in (no `process.env` here). Leave `eventKey`/`signingKey` unset and `isDev` false to run without
 * Inngest: the embedded driver takes over and the serve endpoint is not mounted. (The SDK itself
 * still falls back to INNGEST_* variables for options left unset.)
 */
export interface InngestClientOptions {
  /** INNGEST_EVENT_KEY: sending events to Inngest Cloud or a self-hosted server. */
  eventKey?: string;
  /** INNGEST_SIGNING_KEY: verifying requests from Inngest to /api/inngest. */
  signingKey?: string;
  signingKeyFallback?: string;
  /** Talk to a local Inngest Dev Server without signatures (INNGEST_DEV=1). Default false. */
  isDev?: boolean;
  /** A self-hosted Inngest server. */
  baseUrl?: string;
  appVersion?: string;
  logger?: Logger;
  /** For tests: where the SDK's own HTTP calls (sync, send) go. */
  fetch?: typeof fetch;
}

export const INNGEST_APP_ID = "parley";

export function createInngestClient({ isDev = false, ...options }: InngestClientOptions = {}) {
  return new Inngest({ id: INNGEST_APP_ID, isDev, ...options });
}

export type ParleyInngest = ReturnType<typeof createInngestClient>;
