import { createSecretBox } from "@parley/core/kernel";
import { createDatabase } from "@parley/db";
import type { Services } from "@parley/trpc";

/** Connections of an API process's pool. */
export const poolMax = 20;

export function createServices(options: { appUrl: string; appSecret: string; applicationName?: string }): Services {
  return {
    db: createDatabase({ url: options.appUrl, max: poolMax, applicationName: options.applicationName }),
    secretBox: createSecretBox(options.appSecret),
  };
}
