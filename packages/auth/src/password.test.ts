import { describe, expect, it } from "vitest";
import { decoyPasswordHash, hashPassword, verifyDecoyPassword, verifyPassword } from "./password";

/** An argon2 hash's algorithm, version and cost: `argon2id$v=19$m=…,t=…,p=…`. */
const costOf = (hash: string) => hash.split("$").slice(1, 4).join("$");

describe("passwords", () => {
  it("hashes with argon2id at OWASP's minimum profile and checks the password against its hash", async () => {
    const hash = await hashPassword("correct horse battery staple");
    expect(costOf(hash)).toBe("argon2id$v=19$m=19456,t=2,p=1");
    expect(await verifyPassword(hash, "correct horse battery staple")).toBe(true);
    expect(await verifyPassword(hash, "Correct horse battery staple")).toBe(false);
    expect(await verifyPassword("not a hash", "correct horse battery staple")).toBe(false);
  });

  it("checks an unknown e-mail's password against a decoy made like the stored hashes, and refuses it", async () => {
    expect(costOf(await decoyPasswordHash())).toBe(costOf(await hashPassword("anything")));
    expect(await verifyDecoyPassword("parley-decoy-password")).toBe(false);
  });
});
