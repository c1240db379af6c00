import { createSecretBox } from "@parley/core/kernel";
import { createDatabase, type Database } from "@parley/db";
import type { Services } from "@parley/trpc";

/** Connections of an API process's main pool: the console, the portal, claims, the REST API, the workers. */
export const poolMax = 20;

/**
 * Connections of the process's ingest pool (`Services.ingestDb`): platforms' deliveries hold at most this many at
 * once and queue for them in a burst, instead of taking every connection the moderators' claims and consoles
 * wait for. Two cores' worth of ingest transactions, with room for the Node work between their statements.
 */
export const ingestPoolMax = 6;

export function createServices(options: {
  appUrl: string;
  appSecret: string;
  applicationName?: string;
}): Services & { ingestDb: Database } {
  const pool = (max: number) => createDatabase({ url: options.appUrl, max, applicationName: options.applicationName });
  return {
    db: pool(poolMax),
    ingestDb: pool(ingestPoolMax),
    secretBox: createSecretBox(options.appSecret),
  };
}
