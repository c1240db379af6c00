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
/** A hash made like every stored one (same algorithm and cost), hashed once per process. */
export function decoyPasswordHash(): Promise<string> {
  decoy ??= hashPassword("parley-decoy-password");
  return decoy;
}

/**
 * Checks the password against the decoy hash: the same work as a real check, so an unknown e-mail answers in
 * similar time (`npm run bench -- sign-in` measures it).
 */
export async function verifyDecoyPassword(password: string): Promise<false> {
  await verifyPassword(await decoyPasswordHash(), password);
  return false;
}
