import { channelCredentialFields } from "@parley/contracts";
import { describe, expect, it } from "vitest";
import { connectionAddressesFor, credentialsHintFor, ingestSecretUseFor } from "./channel-credentials";

describe("channel set-up", () => {
  it("says a Discourse webhook needs a secret, when the forum platform is chosen", () => {
    const webhookSecret = channelCredentialFields.forum?.find((field) => field.key === "webhookSecret");
    expect(webhookSecret?.hint).toContain("The Discourse webhook must have a secret");
    expect(ingestSecretUseFor("forum", false)).toContain("Discourse webhook's Secret");
    expect(ingestSecretUseFor("forum", true)).toMatch(/^The previous secret no longer works\. .*Discourse/);
  });

  it("asks each connected platform for exactly the credentials its connector reads", () => {
    const keys = (platform: "facebook" | "instagram" | "forum" | "generic") =>
      channelCredentialFields[platform]?.map((field) => [field.key, field.secret]);
    expect(keys("facebook")).toEqual([
      ["pageAccessToken", true],
      ["appSecret", true],
      ["verifyToken", false],
    ]);
    expect(keys("instagram")).toEqual(keys("facebook"));
    expect(keys("forum")).toEqual([
      ["baseUrl", false],
      ["apiUsername", false],
      ["apiKey", true],
      ["webhookSecret", true],
    ]);
    expect(keys("generic")).toEqual([["callbackUrl", false]]);
    expect(credentialsHintFor("sandbox")).toContain("failureRate=");
    expect(credentialsHintFor("")).toBe("Choose a platform first.");
    expect(ingestSecretUseFor("generic", true)).toBe(
      "The previous secret no longer works. Update the connector that signs this channel's deliveries.",
    );
  });

  it("gives the addresses to paste into Meta and Discourse", () => {
    const origin = "https://parley.example.com";
    expect(
      connectionAddressesFor({ platform: "facebook", channelId: "c1", origin, verifyToken: "handshake" }).map(
        (address) => [address.label, address.value],
      ),
    ).toEqual([
      ["Callback URL", "https://parley.example.com/webhooks/meta/c1"],
      ["Verify token", "handshake"],
    ]);
    expect(
      connectionAddressesFor({ platform: "forum", channelId: "c2", origin, verifyToken: undefined })[0]?.value,
    ).toBe("https://parley.example.com/webhooks/discourse/c2");
    expect(connectionAddressesFor({ platform: "sandbox", channelId: "c3", origin, verifyToken: undefined })).toEqual(
      [],
    );
  });
});
