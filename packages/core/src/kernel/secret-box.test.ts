import { describe, expect, it } from "vitest";
import { createSecretBox } from "./secret-box";

describe("secret box", () => {
  const box = createSecretBox("a-very-long-application-secret-for-tests-only");

  it("round-trips and never repeats a ciphertext", () => {
    const sealed = box.encrypt("page-token-é");
    expect(box.decrypt(sealed)).toBe("page-token-é");
    expect(box.encrypt("page-token-é")).not.toBe(sealed);
    expect(sealed).not.toContain("page-token");
  });

  it("refuses a tampered ciphertext and another key", () => {
    const sealed = box.encrypt("secret");
    const parts = sealed.split(":");
    const body = Buffer.from(parts[3] ?? "", "base64url");
    body[0] = (body[0] ?? 0) ^ 1;
    expect(() => box.decrypt([parts[0], parts[1], parts[2], body.toString("base64url")].join(":"))).toThrow();
    expect(() => createSecretBox("another-application-secret-of-length").decrypt(sealed)).toThrow();
  });
});
