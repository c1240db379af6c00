import type { ChannelConnection, ChannelConnectionResult } from "@parley/contracts";
import { signGenericPayload } from "../generic-ingest";
import { callPlatform, type OutboundHttp } from "./outbound-request";

const missing = (names: string[]): ChannelConnectionResult => ({
  ok: false,
  message: `Not tested: the channel has no ${names.join(" or ")}. Add ${names.length > 1 ? "them" : "it"} and test again.`,
});

/** Meta: who the page access token belongs to (`GET /me?fields=id,name` on the Graph base URL). */
async function testMeta(channel: ChannelConnection, http: OutboundHttp, baseUrl: string) {
  const token = channel.credentials.pageAccessToken;
  if (!token) return missing(["page access token"]);
  const outcome = await callPlatform(http, {
    platform: "Meta Graph",
    url: `${baseUrl.replace(/\/+$/, "")}/me?fields=id,name`,
    init: { method: "GET", headers: { authorization: `Bearer ${token}` } },
  });
  if (!outcome.ok) return { ok: false, message: `The page access token does not work: ${outcome.error}.` };
  const pageId = outcome.externalId;
  if (pageId && pageId !== channel.externalAccountId) {
    return {
      ok: false,
      message: `The token works, but for page ${pageId}, not this channel's ${channel.externalAccountId}: replies would go out as another page.`,
    };
  }
  return {
    ok: true,
    message: `Connected: Meta accepts the page access token for page ${pageId ?? channel.externalAccountId}.`,
  };
}

/** Discourse: the API key and username against the forum (`GET /session/current.json`). */
async function testDiscourse(channel: ChannelConnection, http: OutboundHttp) {
  const { apiKey, apiUsername, baseUrl } = channel.credentials;
  const absent = [!baseUrl && "forum URL", !apiUsername && "API username", !apiKey && "API key"].filter(
    (name): name is string => Boolean(name),
  );
  if (absent.length > 0 || !baseUrl || !apiKey || !apiUsername) return missing(absent);
  const outcome = await callPlatform(http, {
    platform: "The forum",
    url: `${baseUrl.replace(/\/+$/, "")}/session/current.json`,
    init: { method: "GET", headers: { "api-key": apiKey, "api-username": apiUsername } },
  });
  return outcome.ok
    ? { ok: true, message: `Connected: ${baseUrl} accepts the API key for ${apiUsername}.` }
    : { ok: false, message: `The forum did not accept the API key: ${outcome.error}.` };
}

/** Generic: a ping to the callback URL, signed with the ingest secret like every delivery. */
async function testGeneric(channel: ChannelConnection, http: OutboundHttp, now: () => Date) {
  const { callbackUrl } = channel.credentials;
  if (!callbackUrl) return missing(["callback URL"]);
  const body = JSON.stringify({ action: "ping", channelId: channel.id });
  const timestamp = Math.floor(now().getTime() / 1000);
  const outcome = await callPlatform(http, {
    platform: "The callback",
    url: callbackUrl,
    init: {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-parley-timestamp": String(timestamp),
        "x-parley-signature": signGenericPayload({ secret: channel.ingestSecret, timestamp, rawBody: body }),
      },
      body,
    },
  });
  return outcome.ok
    ? { ok: true, message: `Connected: ${callbackUrl} accepted a signed ping.` }
    : { ok: false, message: `The callback did not accept a signed ping: ${outcome.error}.` };
}

/**
 * **Test connection** for a channel: one harmless request to its platform with its credentials, the answer in words.
 * Same guarded fetch and timeouts as deliveries, so a tenant's URL cannot reach what a delivery could not.
 */
export function createConnectionTester(options: { http: OutboundHttp; metaGraphBaseUrl: string; now: () => Date }) {
  return async (channel: ChannelConnection): Promise<ChannelConnectionResult> => {
    switch (channel.platform) {
      case "facebook":
      case "instagram":
        return testMeta(channel, options.http, options.metaGraphBaseUrl);
      case "forum":
        return testDiscourse(channel, options.http);
      case "generic":
        return testGeneric(channel, options.http, options.now);
      case "sandbox":
        return {
          ok: true,
          message: "Nothing to test: the sandbox is Parley's own test platform and always connected.",
        };
      default:
        return {
          ok: false,
          message: `Parley has no connector for ${channel.platform} yet, so there is nothing to test.`,
        };
    }
  };
}
