import { createSecretBox } from "@parley/core/crypto";
import { createDatabase } from "@parley/db";
import type { Services } from "@parley/trpc";

export function createServices(options: { appUrl: string; appSecret: string }): Services {
  return {
    db: createDatabase({ url: options.appUrl, max: 20 }),
    secretBox: createSecretBox(options.appSecret),
  };
}
