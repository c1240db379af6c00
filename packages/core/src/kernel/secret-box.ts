import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from "node:crypto";
import { AppError } from "@parley/contracts";

/** Encrypts channel secrets and credentials at rest: AES-256-GCM, key derived from APP_SECRET with HKDF-SHA256. */
export interface SecretBox {
  encrypt(plaintext: string): string;
  decrypt(sealed: string): string;
}

const version = "v1";

export function createSecretBox(appSecret: string): SecretBox {
  const key = Buffer.from(hkdfSync("sha256", appSecret, "parley", "channel-secrets", 32));
  return {
    encrypt(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      return [
        version,
        iv.toString("base64url"),
        cipher.getAuthTag().toString("base64url"),
        body.toString("base64url"),
      ].join(":");
    },
    decrypt(sealed) {
      const [tag, iv, authTag, body] = sealed.split(":");
      if (tag !== version || !iv || !authTag || body === undefined) {
        throw new AppError("INTERNAL", "Stored secret has an unknown format");
      }
      const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
      decipher.setAuthTag(Buffer.from(authTag, "base64url"));
      return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
    },
  };
}

/** A random secret for HMAC ingest signatures and single-use links. */
export function generateSecret(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

/** SHA-256 (hex) of a link token (invitation, password reset): what the database stores and looks up. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
