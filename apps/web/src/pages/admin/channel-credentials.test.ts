import { describe, expect, it } from "vitest";
import { credentialsHintFor, ingestSecretUseFor } from "./channel-credentials";

describe("channel set-up", () => {
  it("says a Discourse webhook needs a secret, when the forum platform is chosen", () => {
    expect(credentialsHintFor("forum")).toContain("The Discourse webhook must have a secret");
    expect(credentialsHintFor("forum")).toContain("webhookSecret=");
    expect(ingestSecretUseFor("forum", false)).toContain("Discourse webhook's Secret");
    expect(ingestSecretUseFor("forum", true)).toMatch(/^The previous secret no longer works\. .*Discourse/);
  });

  it("names each platform's credentials", () => {
    expect(credentialsHintFor("facebook")).toContain("pageAccessToken=");
    expect(credentialsHintFor("generic")).toContain("callbackUrl=");
    expect(credentialsHintFor("")).toContain("key=value");
    expect(ingestSecretUseFor("generic", true)).toBe(
      "The previous secret no longer works. Update the connector that signs this channel's deliveries.",
    );
  });
});
