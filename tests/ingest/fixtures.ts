import { signGenericPayload } from "@parley/connectors";
import type { TestApp } from "../support/http";

/** A games publisher's protocol, as a client admin would submit it. */
export const gamesProtocol = {
  categories: [
    {
      key: "account_hacked",
      name: "Account hacked",
      match: { keywords: ["hacked", "compromised"], phrases: ["stole my account"] },
      priority: "P1",
      riskFlags: ["safety"],
      authority: "triage",
    },
    {
      key: "legal_threat",
      name: "Legal threat",
      match: { keywords: ["lawyer*", "lawsuit"], phrases: ["legal action"] },
      priority: "P1",
      riskFlags: ["legal"],
      authority: "triage",
    },
    {
      key: "refund",
      name: "Refund request",
      match: { keywords: ["refund*", "chargeback"], phrases: ["money back"] },
      priority: "P2",
      authority: "approval",
    },
    {
      key: "praise",
      name: "Praise",
      match: { keywords: ["love", "amazing"] },
      priority: "P4",
      authority: "respond",
    },
  ],
  defaultCategory: { key: "general", priority: "P3" },
  moderationRules: [{ kind: "profanity", action: "hide", words: ["bastard*"] }],
  forbiddenPhrases: [{ phrase: "we guarantee", reason: "Legal: never promise an outcome" }],
  acknowledgementTemplates: [
    "Thanks for flagging this, we've passed it to the right team.",
    "Sorry to hear that. Our specialists have your message and will be in touch.",
  ],
};

let counter = 0;

/** One generic ingest item (wire form). */
export function wireItem(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter += 1;
  return {
    externalId: `ext-${Date.now()}-${counter}`,
    kind: "comment",
    author: { externalId: `author-${counter % 7}`, handle: `player${counter % 7}` },
    body: `Comment number ${counter}`,
    createdAt: "2026-11-20T10:00:00Z",
    ...overrides,
  };
}

export function signedHeaders(secret: string, rawBody: string, timestamp = Math.floor(Date.now() / 1000)) {
  return {
    "content-type": "application/json",
    "x-parley-timestamp": String(timestamp),
    "x-parley-signature": signGenericPayload({ secret, timestamp, rawBody }),
  };
}

/** POSTs a signed generic delivery. */
export async function postItems(
  app: TestApp,
  options: { channelId: string; secret: string; body: unknown; timestamp?: number },
): Promise<{ status: number; json: Record<string, unknown> }> {
  const raw = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
  const response = await app.request(`http://parley.test/v1/channels/${options.channelId}/items`, {
    method: "POST",
    headers: signedHeaders(options.secret, raw, options.timestamp),
    body: raw,
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}
