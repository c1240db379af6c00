import { hash, verify } from "@node-rs/argon2";

// argon2id with OWASP's minimum profile (19 MiB, 2 passes, 1 lane).
const options = { memoryCost: 19456, timeCost: 2, parallelism: 1, outputLen: 32 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, options);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let decoy: Promise<string> | undefined;
/** Spends the same work as a real check, so an unknown e-mail answers in similar time. */
export async function verifyDecoyPassword(password: string): Promise<false> {
  decoy ??= hashPassword("parley-decoy-password");
  await verifyPassword(await decoy, password);
  return false;
}
